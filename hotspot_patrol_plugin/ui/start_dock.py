"""The start panel: the order of work (hot spots → zones → plan → tracks → match → brief → shift →
evaluate → report), one button a step.

It only shows and emits: each button triggers the plugin action it names (the same action as the
toolbar and the Vector menu), so the panel holds no logic of its own.
"""

from __future__ import annotations

from qgis.gui import QgsDockWidget
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtWidgets import QGridLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget


def tr(text: str) -> str:
    return QCoreApplication.translate("HotspotPatrol", text)


def tr_noop(text: str) -> str:
    """Marks a text for the translation template; it is translated where it is shown (``tr``)."""
    return text


#: (step, title, what it does and gives, the action's object name, the button's text)
STEPS = (
    (
        "0",
        tr_noop("Try it on the sample"),
        tr_noop(
            "Loads police.uk crime for central Leeds (July 2018), six units' evening pings and ten zones, so every "
            "step below can be tried in a minute."
        ),
        "hotspotpatrol_sample",
        tr_noop("Load sample data"),
    ),
    (
        "1",
        tr_noop("Find the hot spots"),
        tr_noop("Gi* statistics on a crime layer give significant hot spots, already cut into zones to patrol."),
        "hotspotpatrol_identify",
        tr_noop("Identify hot spots…"),
    ),
    (
        "2",
        tr_noop("Plan the zones"),
        tr_noop(
            "Create a patrol workspace, import the hot spot zones (their ids are kept), draw or adjust zones, "
            "set each zone's target band and visits per day."
        ),
        "hotspotpatrol_zones",
        tr_noop("Open the Zones panel"),
    ),
    (
        "3",
        tr_noop("Plan the patrols"),
        tr_noop(
            "Randomised visit times per patrol and day, about 15 minutes each, spaced and feasible on foot or by "
            "vehicle, with a briefing page per patrol."
        ),
        "hotspotpatrol_plan",
        tr_noop("Plan patrols…"),
    ),
    (
        "4",
        tr_noop("Import officer tracks"),
        tr_noop(
            "GPS exports (CSV, GPX, GeoJSON, NMEA): columns and date order are detected and shown before "
            "anything is read."
        ),
        "hotspotpatrol_import",
        tr_noop("Import officer tracks…"),
    ),
    (
        "5",
        tr_noop("Match tracks to zones"),
        tr_noop("Every visit's entry, exit and dwell, and each zone's coverage against its target band."),
        "hotspotpatrol_match",
        tr_noop("Match officer tracks…"),
    ),
    (
        "6",
        tr_noop("Brief"),
        tr_noop("A PDF briefing pack: the coverage map, a table of zones and a page per zone, officers pseudonymised."),
        "hotspotpatrol_brief",
        tr_noop("Export briefing pack…"),
    ),
    (
        "7",
        tr_noop("During the shift"),
        tr_noop(
            "Which zones are due a visit now, who is inside, presence so far against the plan; live from PostGIS "
            "or replayed."
        ),
        "hotspotpatrol_shift",
        tr_noop("Shift: zones due now"),
    ),
    (
        "8",
        tr_noop("Did it work?"),
        tr_noop(
            "Crime before and after against comparison areas, displacement rings, dosage and return on "
            "investment (WDD, WDQ)."
        ),
        "hotspotpatrol_evaluate",
        tr_noop("Evaluate hot spot patrols…"),
    ),
    (
        "9",
        tr_noop("Tell the public"),
        tr_noop("A self-contained HTML and PDF report per zone and month: no officer ids, small counts suppressed."),
        "hotspotpatrol_report",
        tr_noop("Public patrol report…"),
    ),
)


class StartDock(QgsDockWidget):
    OBJECT_NAME = "HotspotPatrolStartDock"

    def __init__(self, parent=None):
        super().__init__(tr("Start here"), parent)
        self.setObjectName(self.OBJECT_NAME)
        body = QWidget()
        outer = QVBoxLayout(body)
        intro = QLabel(
            tr(
                "Hot spot patrols work best as short visits of 10–15 minutes at unpredictable times. "
                "These steps take you from crime data to a plan, a briefing pack and a public "
                "report; each button opens the tool with your layers already chosen."
            )
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(12)
        grid.setHorizontalSpacing(8)
        self.buttons = {}
        for row, (step, title, text, name, button_text) in enumerate(STEPS):
            number = QLabel(f"<b style='font-size:14pt'>{step}</b>")
            number.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            label = QLabel(f"<b>{tr(title)}</b><br>{tr(text)}")
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Maximum)
            button = QPushButton(tr(button_text))
            button.setObjectName(f"start_{name}")
            button.setEnabled(False)  # until the plugin connects the step's action
            cell = QVBoxLayout()
            cell.setSpacing(3)
            cell.addWidget(label)
            cell.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(number, row, 0)
            grid.addLayout(cell, row, 1)
            self.buttons[name] = button
        outer.addLayout(grid)
        outer.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.setWidget(scroll)
        self._actions = {}

    def connect_action(self, action) -> None:
        """The step whose button has ``action``'s object name triggers it (and is enabled with it)."""
        button = self.buttons.get(action.objectName())
        if button is None:
            return
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        button.setEnabled(action.isEnabled())
        action.changed.connect(lambda b=button, a=action: b.setEnabled(a.isEnabled()))
        self._actions[action.objectName()] = action
