"""The inline list of check results: one row per problem, with its fix hint and a zoom button."""

from __future__ import annotations

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QPalette
from qgis.PyQt.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

MAX_SHOWN = 100  # more than this: the first ones, and a line saying how many more


def icon(name: str):
    return QgsApplication.getThemeIcon(name)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _dim(palette) -> str:
    """The theme's text colour blended towards its background: readable on light and dark themes."""
    fg, bg = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)
    mix = [round(0.62 * a + 0.38 * b) for a, b in zip(fg.getRgb()[:3], bg.getRgb()[:3])]
    return "#{:02x}{:02x}{:02x}".format(*mix)


class ProblemRow(QFrame):
    """One problem: severity icon, the message, the fix hint (dimmer), a zoom button."""

    zoomRequested = pyqtSignal(object)

    def __init__(self, problem, parent=None):
        super().__init__(parent)
        self.problem = problem
        self.setObjectName("problem_row")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 3, 2, 3)
        layout.setSpacing(6)
        badge = QLabel()
        badge.setPixmap(icon("/mIconCritical.svg" if problem.is_error else "/mIconWarning.svg").pixmap(16, 16))
        badge.setToolTip(
            "Error: fix before using the plan" if problem.is_error else "Warning: worth a look, the plan still works"
        )
        badge.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        text = QLabel()
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setText(
            f"{_escape(problem.message)}<br><span style='color:{_dim(self.palette())}'>"
            f"<i>{_escape(problem.hint)}</i></span>"
        )
        text.setToolTip(f"{problem.message}\nHow to fix: {problem.hint}")
        text.setMinimumWidth(120)
        self.text = text
        layout.addWidget(text, 1)
        self.zoom_button = QToolButton()
        self.zoom_button.setIcon(icon("/mActionZoomToSelected.svg"))
        self.zoom_button.setAutoRaise(True)
        self.zoom_button.setToolTip("Zoom to problem: show it on the map and select the features involved")
        self.zoom_button.setEnabled(problem.bounds is not None)
        self.zoom_button.clicked.connect(lambda: self.zoomRequested.emit(self.problem))
        layout.addWidget(self.zoom_button, 0, Qt.AlignmentFlag.AlignTop)

    def mouseDoubleClickEvent(self, event):
        if self.problem.bounds is not None:
            self.zoomRequested.emit(self.problem)
        super().mouseDoubleClickEvent(event)


class ProblemsWidget(QWidget):
    """Shows problems (core.validation.Problem); emits ``zoomRequested(problem)``."""

    zoomRequested = pyqtSignal(object)

    def __init__(self, what: str, parent=None):
        super().__init__(parent)
        self.what = what
        self.problems = []
        self.rows: list[ProblemRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)

        head = QHBoxLayout()
        head.setSpacing(6)
        head.setContentsMargins(2, 0, 2, 0)
        self.summary_icon = QLabel()
        self.summary_icon.setFixedSize(16, 16)
        self.summary = QLabel()
        self.summary.setToolTip(f"Checks on the {what}; they run again after every edit")
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        head.addWidget(self.summary_icon)
        head.addWidget(self.summary, 1)
        layout.addLayout(head)

        self.area = QScrollArea()
        self.area.setObjectName(f"problems_{what}")
        self.area.setWidgetResizable(True)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setToolTip(f"Problems found in the {what}, each with how to fix it")
        self.area.setBackgroundRole(QPalette.ColorRole.Base)
        self.body = QWidget()
        self.body.setBackgroundRole(QPalette.ColorRole.Base)
        self.body.setAutoFillBackground(True)
        self.list = QVBoxLayout(self.body)
        self.list.setContentsMargins(0, 0, 0, 0)
        self.list.setSpacing(0)
        self.list.addStretch(1)
        self.area.setWidget(self.body)
        layout.addWidget(self.area, 1)
        self.set_problems([], checked=False)

    def set_problems(self, problems, checked: bool = True, note: str = "") -> None:
        self.problems = list(problems)
        self.rows = []
        while self.list.count() > 1:  # everything but the closing stretch
            item = self.list.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()  # deleteLater waits for the event loop; do not show it meanwhile
                item.widget().deleteLater()
        errors = sum(p.is_error for p in self.problems)
        warnings = len(self.problems) - errors
        if not checked:
            self.summary.setText(note or "Checks")
            self.summary_icon.clear()
        elif not self.problems:
            self.summary.setText(f"No problems found in the {self.what}")
            self.summary_icon.setPixmap(icon("/mIconSuccess.svg").pixmap(16, 16))
        else:
            parts = []
            if errors:
                parts.append(f"{errors} error{'s' if errors != 1 else ''}")
            if warnings:
                parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
            self.summary.setText(" · ".join(parts))
            self.summary_icon.setPixmap(icon("/mIconCritical.svg" if errors else "/mIconWarning.svg").pixmap(16, 16))
        for i, p in enumerate(self.problems[:MAX_SHOWN]):
            row = ProblemRow(p)
            row.zoomRequested.connect(self.zoomRequested)
            self.list.insertWidget(self.list.count() - 1, row)
            self.rows.append(row)
            if i < len(self.problems) - 1:
                line = QFrame()
                line.setFrameShape(QFrame.Shape.HLine)
                line.setFrameShadow(QFrame.Shadow.Plain)
                line.setStyleSheet("color: palette(midlight);")
                self.list.insertWidget(self.list.count() - 1, line)
        if len(self.problems) > MAX_SHOWN:
            more = QLabel(f"… and {len(self.problems) - MAX_SHOWN} more: fix these first.")
            more.setContentsMargins(6, 4, 6, 4)
            self.list.insertWidget(self.list.count() - 1, more)
