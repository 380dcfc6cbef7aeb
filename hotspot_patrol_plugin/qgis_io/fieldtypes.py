"""Field types across QGIS versions: QMetaType on QGIS >= 3.38 (and Qt6), QVariant before.

The only module allowed to touch ``QVariant.<Type>`` (the Qt6 check enforces it).
"""

from qgis.core import Qgis, QgsField

if Qgis.QGIS_VERSION_INT >= 33800:
    from qgis.PyQt.QtCore import QMetaType

    STRING = QMetaType.Type.QString
    INT = QMetaType.Type.Int
    LONG = QMetaType.Type.LongLong
    DOUBLE = QMetaType.Type.Double
    BOOL = QMetaType.Type.Bool
    DATETIME = QMetaType.Type.QDateTime
else:  # QGIS 3.22 - 3.36
    from qgis.PyQt.QtCore import QVariant

    STRING = QVariant.String
    INT = QVariant.Int
    LONG = QVariant.LongLong
    DOUBLE = QVariant.Double
    BOOL = QVariant.Bool
    DATETIME = QVariant.DateTime


def field(name: str, kind, length: int = 0, precision: int = 0) -> QgsField:
    f = QgsField(name, kind)
    if length:
        f.setLength(length)
    if precision:
        f.setPrecision(precision)
    return f


def is_datetime(f: QgsField) -> bool:
    return f.type() == DATETIME


def is_numeric(f: QgsField) -> bool:
    return f.isNumeric()
