"""What the zones and waypoints panels share: a QgsDockWidget showing a workspace table.

No logic lives here: the dock shows rows, problems and edit state it is given, and exposes
QActions and signals that ui/planner.py connects to the controller.
"""

from __future__ import annotations

from qgis.core import QgsApplication
from qgis.gui import QgsDockWidget, QgsFilterLineEdit
from qgis.PyQt.QtCore import QSize, Qt, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

try:  # Qt6 moved QAction to QtGui
    from qgis.PyQt.QtGui import QAction
except ImportError:  # Qt5
    from qgis.PyQt.QtWidgets import QAction

from .problems_widget import ProblemsWidget
from .rows_model import KEY_ROLE, FilterProxy, RowsModel


def theme_icon(name: str):
    return QgsApplication.getThemeIcon(name)


def make_action(parent, icon: str, text: str, tooltip: str, name: str, checkable: bool = False) -> QAction:
    action = QAction(theme_icon(icon), text, parent)
    action.setToolTip(tooltip)
    action.setStatusTip(tooltip)
    action.setObjectName(name)
    action.setCheckable(checkable)
    return action


class PlannerDock(QgsDockWidget):
    """A table of workspace features with a toolbar, a filter and the checks below it."""

    #: a row was double-clicked: the feature id to zoom to and select
    featureActivated = pyqtSignal(object)
    #: zoom to a problem (core.validation.Problem)
    problemActivated = pyqtSignal(object)

    what = "features"  # plural noun for messages ("zones")
    empty_text = ""

    def __init__(self, title: str, object_name: str, columns, parent=None, icon_size: QSize | None = None):
        super().__init__(title, parent)
        self.setObjectName(object_name)
        self.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.icon_size = icon_size or QSize(16, 16)

        # shared actions (the workspace and the layer's edit buffer)
        self.action_new = make_action(
            self,
            "/mActionNewGeoPackageLayer.svg",
            "New Workspace…",
            "Create a patrol workspace (a GeoPackage, or tables in a PostGIS schema) with zones and "
            "waypoints, and add it to the project",
            f"{object_name}_new",
        )
        self.action_open = make_action(
            self,
            "/mActionFileOpen.svg",
            "Open Workspace…",
            "Add an existing patrol workspace's zones and waypoints to the project",
            f"{object_name}_open",
        )
        self.action_edit = make_action(
            self,
            "/mActionToggleEditing.svg",
            "Toggle Editing",
            f"Start or stop editing the {self.what} layer (stopping with unsaved edits asks whether to "
            "save them, as QGIS does)",
            f"{object_name}_edit",
            checkable=True,
        )
        self.action_save = make_action(
            self,
            "/mActionSaveEdits.svg",
            "Save Edits",
            f"Write the {self.what} edits to the workspace (nothing is written before this)",
            f"{object_name}_save",
        )
        self.action_undo = make_action(self, "/mActionUndo.svg", "Undo", "Undo the last edit", f"{object_name}_undo")
        self.action_redo = make_action(
            self, "/mActionRedo.svg", "Redo", "Redo the last undone edit", f"{object_name}_redo"
        )

        self.stack = QStackedWidget()
        self.stack.addWidget(self._empty_page())
        self.content = QWidget()
        self.stack.addWidget(self.content)
        self.setWidget(self.stack)

        layout = QVBoxLayout(self.content)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(4)

        self.toolbar = QToolBar()
        self.toolbar.setIconSize(self.icon_size)
        self.toolbar.setFloatable(False)
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.toolbar.addAction(self.action_new)
        self.toolbar.addAction(self.action_open)
        self.toolbar.addSeparator()
        for a in (self.action_edit, self.action_save, self.action_undo, self.action_redo):
            self.toolbar.addAction(a)
        self.toolbar.addSeparator()
        layout.addWidget(self.toolbar)

        self.workspace_label = QLabel()
        self.workspace_label.setObjectName(f"{object_name}_workspace")
        self.workspace_label.setToolTip(
            "The workspace these panels show (they follow the workspace layers "
            "in the project; select another zones layer to switch)"
        )
        self.workspace_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.workspace_label.setIndent(2)
        layout.addWidget(self.workspace_label)

        self.filter = QgsFilterLineEdit()
        self.filter.setShowSearchIcon(True)
        self.filter.setPlaceholderText(f"Filter {self.what}…")
        self.filter.setToolTip(f"Show only {self.what} whose id, name or any other column contains this text")
        layout.addWidget(self.filter)

        self.model = RowsModel(columns, self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)

        self.table = QTableView()
        self.table.setObjectName(f"{object_name}_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setToolTip(
            f"The workspace's {self.what}. Click a header to sort; double-click a row to "
            "zoom to it and select it on the map."
        )
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, c in enumerate(columns):
            if c.key == "name":
                header.setSectionResizeMode(i, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._activated)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.problems = ProblemsWidget(self.what)
        self.problems.zoomRequested.connect(self.problemActivated)

        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.setSpacing(2)
        bl.addWidget(self.problems)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([270, 230])
        layout.addWidget(self.splitter, 1)

        self.status = QLabel()
        self.status.setIndent(2)
        self.status.setToolTip(f"How many {self.what} the workspace has and whether edits are unsaved")
        layout.addWidget(self.status)
        self.show_workspace(None)

    # --- the page shown when the project has no workspace ---------------------------------------
    def _empty_page(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.setContentsMargins(12, 12, 12, 12)
        text = QLabel(
            self.empty_text
            or (
                "<p><b>No patrol workspace in this project.</b></p><p>A workspace holds the hot spot "
                "<i>zones</i> and <i>waypoints</i> of a patrol plan, in a GeoPackage or a PostGIS schema.</p>"
            )
        )
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setToolTip("Create a new workspace, open one, or add its zones layer to the project")
        v.addWidget(text)
        for action in (self.action_new, self.action_open):
            b = QToolButton()
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setIconSize(self.icon_size)
            v.addWidget(b)
        v.addStretch(1)
        return page

    # --- shown state ----------------------------------------------------------------------------
    def show_workspace(self, label: str | None, tooltip: str = "") -> None:
        self.stack.setCurrentIndex(0 if label is None else 1)
        self.workspace_label.setText(label or "")
        if tooltip:
            self.workspace_label.setToolTip(tooltip)

    def show_rows(self, rows: list[dict]) -> None:
        keys = self.selected_keys()
        self.model.set_rows(rows)
        self.select_keys(keys)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Size every column but the name to its widest value (not to its header plus room for a
        sort arrow, as ResizeToContents does): the name keeps the room at ~400 px dock widths."""
        fm = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        hfm = header.fontMetrics()
        n = min(self.model.rowCount(), 300)
        for i, c in enumerate(self.model.columns):
            if c.key == "name":
                continue
            widths = [fm.horizontalAdvance(self.model.data(self.model.index(r, i)) or "") for r in range(n)]
            width = max(widths + [0]) + 12
            if i == 0 and any(row.get("_icon") is not None for row in self.model.rows[:n]):
                width += 22
            header.resizeSection(i, max(width, hfm.horizontalAdvance(c.header) + 18))

    def show_problems(self, problems, checked: bool = True, note: str = "") -> None:
        self.problems.set_problems(problems, checked, note)

    def show_edit_state(self, has_layer: bool, editable: bool, modified: bool, can_undo: bool, can_redo: bool) -> None:
        self.action_edit.setEnabled(has_layer)
        self.action_edit.setChecked(editable)
        self.action_save.setEnabled(editable and modified)
        self.action_undo.setEnabled(editable and can_undo)
        self.action_redo.setEnabled(editable and can_redo)

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def set_column_visible(self, key: str, visible: bool) -> None:
        for i, c in enumerate(self.model.columns):
            if c.key == key:
                self.table.setColumnHidden(i, not visible)

    # --- selection -----------------------------------------------------------------------------
    def selected_keys(self) -> list:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return [self.proxy.data(i, KEY_ROLE) for i in rows]

    def select_keys(self, keys) -> None:
        sel = self.table.selectionModel()
        if sel is None:
            return
        sel.clearSelection()
        from qgis.PyQt.QtCore import QItemSelectionModel

        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for key in keys:
            row = self.model.row_for_key(key)
            if row >= 0:
                sel.select(self.proxy.mapFromSource(self.model.index(row, 0)), flags)

    def proxy_row_of(self, key) -> int:
        row = self.model.row_for_key(key)
        return self.proxy.mapFromSource(self.model.index(row, 0)).row() if row >= 0 else -1

    def _selection_changed(self, *_):
        """Subclasses enable their selection actions here."""

    def _activated(self, index):
        key = self.proxy.data(self.proxy.index(index.row(), 0), KEY_ROLE)
        if key is not None:
            self.featureActivated.emit(key)
