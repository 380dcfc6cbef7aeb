"""QGIS enums that moved into ``Qgis`` (3.30-3.36) and lose their old names in QGIS 4.

Each constant takes the new, fully scoped name when this QGIS has it, the old scoped name otherwise.
"""

from qgis.core import (
    Qgis,
    QgsFeatureSink,
    QgsLayoutItemMap,
    QgsLayoutItemShape,
    QgsLayoutMultiFrame,
    QgsLayoutObject,
    QgsLayoutTable,
    QgsLegendStyle,
    QgsMapLayer,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingParameterDateTime,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterNumber,
    QgsRenderContext,
    QgsScaleBarSettings,
    QgsSymbolLayer,
    QgsUnitTypes,
    QgsWkbTypes,
)

_NEW = hasattr(Qgis, "ProcessingSourceType")

if _NEW:
    SOURCE_POINT = Qgis.ProcessingSourceType.VectorPoint
    SOURCE_POLYGON = Qgis.ProcessingSourceType.VectorPolygon
    SOURCE_LINE = Qgis.ProcessingSourceType.VectorLine
    SOURCE_FILE = Qgis.ProcessingSourceType.File
    NUMBER_DOUBLE = Qgis.ProcessingNumberParameterType.Double
    FIELD_ANY = Qgis.ProcessingFieldParameterDataType.Any
    FLAG_OPTIONAL = Qgis.ProcessingParameterFlag.Optional
    FLAG_ADVANCED = Qgis.ProcessingParameterFlag.Advanced
    DATETIME_TYPE = Qgis.ProcessingDateTimeParameterDataType.DateTime
    GEOM_POINT = Qgis.GeometryType.Point
    GEOM_POLYGON = Qgis.GeometryType.Polygon
    WKB_LINESTRING = Qgis.WkbType.LineString
    SOURCE_VECTOR = Qgis.ProcessingSourceType.Vector
    NUMBER_INTEGER = Qgis.ProcessingNumberParameterType.Integer
    FIELD_NUMERIC = Qgis.ProcessingFieldParameterDataType.Numeric
    FILE_BEHAVIOR_FILE = Qgis.ProcessingFileParameterBehavior.File
    WKB_POLYGON = Qgis.WkbType.Polygon
    WKB_NO_GEOMETRY = Qgis.WkbType.NoGeometry
    WKB_POINT = Qgis.WkbType.Point
    WKB_MULTIPOLYGON = Qgis.WkbType.MultiPolygon
else:  # QGIS 3.22 - 3.34
    SOURCE_POINT = QgsProcessing.SourceType.TypeVectorPoint
    SOURCE_POLYGON = QgsProcessing.SourceType.TypeVectorPolygon
    SOURCE_LINE = QgsProcessing.SourceType.TypeVectorLine
    SOURCE_FILE = QgsProcessing.SourceType.TypeFile
    NUMBER_DOUBLE = QgsProcessingParameterNumber.Type.Double
    FIELD_ANY = QgsProcessingParameterField.DataType.Any
    FLAG_OPTIONAL = QgsProcessingParameterDefinition.Flag.FlagOptional
    FLAG_ADVANCED = QgsProcessingParameterDefinition.Flag.FlagAdvanced
    DATETIME_TYPE = QgsProcessingParameterDateTime.Type.DateTime
    GEOM_POINT = QgsWkbTypes.GeometryType.PointGeometry
    GEOM_POLYGON = QgsWkbTypes.GeometryType.PolygonGeometry
    WKB_LINESTRING = QgsWkbTypes.Type.LineString
    SOURCE_VECTOR = QgsProcessing.SourceType.TypeVector
    NUMBER_INTEGER = QgsProcessingParameterNumber.Type.Integer
    FIELD_NUMERIC = QgsProcessingParameterField.DataType.Numeric
    FILE_BEHAVIOR_FILE = QgsProcessingParameterFile.Behavior.File
    WKB_POLYGON = QgsWkbTypes.Type.Polygon
    WKB_NO_GEOMETRY = QgsWkbTypes.Type.NoGeometry
    WKB_POINT = QgsWkbTypes.Type.Point
    WKB_MULTIPOLYGON = QgsWkbTypes.Type.MultiPolygon

SINK_FAST_INSERT = QgsFeatureSink.Flag.FastInsert

if hasattr(Qgis, "LayerFilter"):  # QGIS >= 3.34
    LAYER_FILTER_POLYGON = Qgis.LayerFilter.PolygonLayer
else:
    from qgis.core import QgsMapLayerProxyModel

    LAYER_FILTER_POLYGON = QgsMapLayerProxyModel.Filter.PolygonLayer


# ---------------------------------------------------------------- planner panels (workspace editing)
if hasattr(Qgis, "FeatureRequestFlag"):  # QGIS >= 3.36
    REQUEST_NO_GEOMETRY = Qgis.FeatureRequestFlag.NoGeometry
else:
    from qgis.core import QgsFeatureRequest

    REQUEST_NO_GEOMETRY = QgsFeatureRequest.Flag.NoGeometry
if hasattr(Qgis, "AttributeFormSuppression"):  # QGIS >= 3.32
    FORM_SUPPRESS_ON = Qgis.AttributeFormSuppression.On
    FORM_SUPPRESS_OFF = Qgis.AttributeFormSuppression.Off
else:
    from qgis.core import QgsEditFormConfig

    FORM_SUPPRESS_ON = QgsEditFormConfig.FeatureFormSuppress.SuppressOn
    FORM_SUPPRESS_OFF = QgsEditFormConfig.FeatureFormSuppress.SuppressOff

# ---------------------------------------------------------------- layouts, styles (briefing pack)
if _NEW:
    ALG_NO_THREADING = Qgis.ProcessingAlgorithmFlag.NoThreading
    SOURCE_MAP_LAYER = Qgis.ProcessingSourceType.MapLayer
    GEOM_LINE = Qgis.GeometryType.Line
    LAYOUT_MM = Qgis.LayoutUnit.Millimeters
    RENDER_MM = Qgis.RenderUnit.Millimeters
    DISTANCE_METERS = Qgis.DistanceUnit.Meters
    DISTANCE_KILOMETERS = Qgis.DistanceUnit.Kilometers
    TEXT_ALWAYS_TEXT = Qgis.TextRenderFormat.AlwaysText
    LEGEND_TITLE = Qgis.LegendComponent.Title
    LEGEND_SUBGROUP = Qgis.LegendComponent.Subgroup
    LEGEND_SYMBOL_LABEL = Qgis.LegendComponent.SymbolLabel
    LEGEND_SYMBOL = Qgis.LegendComponent.Symbol
    LEGEND_HIDDEN = Qgis.LegendComponent.Hidden
    SCALEBAR_FIT_WIDTH = Qgis.ScaleBarSegmentSizeMode.FitWidth
    SCALEBAR_ALIGN_LEFT = Qgis.ScaleBarAlignment.Left
    SYMBOL_FILL_COLOR = QgsSymbolLayer.Property.FillColor
else:  # QGIS 3.22 - 3.34
    ALG_NO_THREADING = QgsProcessingAlgorithm.Flag.FlagNoThreading
    SOURCE_MAP_LAYER = QgsProcessing.SourceType.TypeMapLayer
    GEOM_LINE = QgsWkbTypes.GeometryType.LineGeometry
    LAYOUT_MM = QgsUnitTypes.LayoutUnit.LayoutMillimeters
    RENDER_MM = QgsUnitTypes.RenderUnit.RenderMillimeters
    DISTANCE_METERS = QgsUnitTypes.DistanceUnit.DistanceMeters
    DISTANCE_KILOMETERS = QgsUnitTypes.DistanceUnit.DistanceKilometers
    TEXT_ALWAYS_TEXT = QgsRenderContext.TextFormatAlwaysText  # 3.22's bindings have no scoped name for it
    LEGEND_TITLE = QgsLegendStyle.Style.Title
    LEGEND_SUBGROUP = QgsLegendStyle.Style.Subgroup
    LEGEND_SYMBOL_LABEL = QgsLegendStyle.Style.SymbolLabel
    LEGEND_SYMBOL = QgsLegendStyle.Style.Symbol
    LEGEND_HIDDEN = QgsLegendStyle.Style.Hidden
    SCALEBAR_FIT_WIDTH = QgsScaleBarSettings.SegmentSizeMode.SegmentSizeFitWidth
    SCALEBAR_ALIGN_LEFT = QgsScaleBarSettings.Alignment.AlignLeft
    SYMBOL_FILL_COLOR = QgsSymbolLayer.PropertyFillColor

# Layout enums with the same scoped name on 3.22 and 3.44.
ATLAS_SCALE_FIXED = QgsLayoutItemMap.AtlasScalingMode.Fixed
DD_MAP_SCALE = QgsLayoutObject.DataDefinedProperty.MapScale
FRAMES_USE_EXISTING = QgsLayoutMultiFrame.ResizeMode.UseExistingFrames
TABLE_HEADERS_ALL_FRAMES = QgsLayoutTable.HeaderMode.AllFrames
TABLE_EMPTY_SHOW_MESSAGE = QgsLayoutTable.EmptyTableMode.ShowMessage
TABLE_ODD_ROWS = QgsLayoutTable.CellStyleGroup.OddRows
DD_EXCLUDE_FROM_EXPORTS = QgsLayoutObject.DataDefinedProperty.ExcludeFromExports
TABLE_HEADER_ROW = QgsLayoutTable.CellStyleGroup.HeaderRow
TABLE_HEADER_FOLLOW_COLUMN = QgsLayoutTable.HeaderHAlignment.FollowColumn
LEGEND_SIDE_TOP = QgsLegendStyle.Side.Top
LEGEND_SIDE_BOTTOM = QgsLegendStyle.Side.Bottom
SHAPE_RECTANGLE = QgsLayoutItemShape.Shape.Rectangle
STYLE_SYMBOLOGY_AND_LABELS = QgsMapLayer.StyleCategory.Symbology | QgsMapLayer.StyleCategory.Labeling


def geometry_type(wkb_type):
    return QgsWkbTypes.geometryType(wkb_type)


def set_label_format(item, text_format) -> None:
    """A layout label's font, size and colour: a QgsTextFormat from QGIS 3.24, font + colour before."""
    if hasattr(item, "setTextFormat"):
        item.setTextFormat(text_format)
    else:  # QGIS 3.22
        item.setFont(text_format.toQFont())
        item.setFontColor(text_format.color())


def set_legend_format(legend, component, text_format) -> None:
    """The text format of one legend component (title, group, symbol label ...)."""
    style = legend.rstyle(component)
    if hasattr(style, "setTextFormat"):  # QGIS 3.30
        style.setTextFormat(text_format)
    else:
        style.setFont(text_format.toQFont())
        if component == LEGEND_SYMBOL_LABEL:
            legend.setFontColor(text_format.color())
