"""QGIS enums that moved into ``Qgis`` (3.30-3.36) and lose their old names in QGIS 4.

Each constant takes the new, fully scoped name when this QGIS has it, the old scoped name otherwise.
"""
from qgis.core import (
    Qgis,
    QgsFeatureSink,
    QgsProcessing,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsWkbTypes,
)

_NEW = hasattr(Qgis, "ProcessingSourceType")

if _NEW:
    SOURCE_POINT = Qgis.ProcessingSourceType.VectorPoint
    SOURCE_POLYGON = Qgis.ProcessingSourceType.VectorPolygon
    SOURCE_LINE = Qgis.ProcessingSourceType.VectorLine
    NUMBER_DOUBLE = Qgis.ProcessingNumberParameterType.Double
    FIELD_ANY = Qgis.ProcessingFieldParameterDataType.Any
    FLAG_OPTIONAL = Qgis.ProcessingParameterFlag.Optional
    FLAG_ADVANCED = Qgis.ProcessingParameterFlag.Advanced
    DATETIME_TYPE = Qgis.ProcessingDateTimeParameterDataType.DateTime
    GEOM_POINT = Qgis.GeometryType.Point
    GEOM_POLYGON = Qgis.GeometryType.Polygon
    WKB_LINESTRING = Qgis.WkbType.LineString
else:  # QGIS 3.22 - 3.34
    SOURCE_POINT = QgsProcessing.SourceType.TypeVectorPoint
    SOURCE_POLYGON = QgsProcessing.SourceType.TypeVectorPolygon
    SOURCE_LINE = QgsProcessing.SourceType.TypeVectorLine
    NUMBER_DOUBLE = QgsProcessingParameterNumber.Type.Double
    FIELD_ANY = QgsProcessingParameterField.DataType.Any
    FLAG_OPTIONAL = QgsProcessingParameterDefinition.Flag.FlagOptional
    FLAG_ADVANCED = QgsProcessingParameterDefinition.Flag.FlagAdvanced
    DATETIME_TYPE = QgsProcessingParameterDateTime.Type.DateTime
    GEOM_POINT = QgsWkbTypes.GeometryType.PointGeometry
    GEOM_POLYGON = QgsWkbTypes.GeometryType.PolygonGeometry
    WKB_LINESTRING = QgsWkbTypes.Type.LineString

SINK_FAST_INSERT = QgsFeatureSink.Flag.FastInsert


def geometry_type(wkb_type):
    return QgsWkbTypes.geometryType(wkb_type)
