"""A read-only table model over a list of row dicts, and the proxy the panels sort and filter with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from qgis.PyQt.QtGui import QBrush, QColor

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    tooltip: str
    numeric: bool = False
    fmt: Optional[Callable] = None  # value -> display text


def contrast_text(hex_colour: str) -> QColor:
    c = QColor(hex_colour)
    luminance = 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()
    return QColor("#000000") if luminance > 140 else QColor("#ffffff")


class RowsModel(QAbstractTableModel):
    """Rows are dicts; ``row["_key"]`` is the feature id, ``row["_colours"]`` maps a column key to a
    background colour, ``row["_sort"]`` a column key to the value it sorts by, ``row["_icon"]`` /
    ``row["_tooltip"]`` decorate the first column."""

    def __init__(self, columns: list[Column], parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tooltip
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = self.columns[index.column()]
        value = row.get(col.key)
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""
            return col.fmt(value) if col.fmt else str(value)
        if role == SORT_ROLE:
            sort = row.get("_sort") or {}
            if col.key in sort:
                return sort[col.key]
            if value is None:
                return float("-inf") if col.numeric else ""
            return value if col.numeric else str(value).lower()
        if role == KEY_ROLE:
            return row.get("_key")
        if role == Qt.ItemDataRole.TextAlignmentRole and col.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        colour = (row.get("_colours") or {}).get(col.key)
        if role == Qt.ItemDataRole.BackgroundRole and colour:
            return QBrush(QColor(colour))
        if role == Qt.ItemDataRole.ForegroundRole and colour:
            return QBrush(contrast_text(colour))
        if index.column() == 0 and role == Qt.ItemDataRole.DecorationRole:
            return row.get("_icon")
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.get("_tooltip") or (None if value is None else str(value))
        return None

    def row_for_key(self, key) -> int:
        return next((i for i, r in enumerate(self.rows) if r.get("_key") == key), -1)


class FilterProxy(QSortFilterProxyModel):
    """Sorts by the raw values and keeps rows where any column contains the filter text."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
