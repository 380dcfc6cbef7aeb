"""Styles for the hot spot outputs: a diverging palette for the Gi* classes, outlines for the zones.

The palette is ColorBrewer's RdBu (colour-blind safe), hot in reds and cold in blues; cells that
are not significant are a light grey, and no cell has a visible outline, so a force-wide grid stays
readable.
"""

from __future__ import annotations

from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsFillSymbol,
    QgsRendererCategory,
    QgsSingleSymbolRenderer,
)

from ..core import hotspots as H
from .styles import label_layer

CLASS_COLOURS = {
    H.HOT_99: "#b2182b",
    H.HOT_95: "#ef8a62",
    H.HOT_90: "#fddbc7",
    H.NOT_SIGNIFICANT: "#ececec",
    H.COLD_90: "#d1e5f0",
    H.COLD_95: "#67a9cf",
    H.COLD_99: "#2166ac",
}
ZONE_OUTLINE = "#1a1a1a"


def class_legend(label: str) -> str:
    if label == H.NOT_SIGNIFICANT:
        return "not significant"
    kind, level = label.split(" ")
    return f"{kind} spot, {level} confidence (FDR-adjusted)"


def apply_grid_style(layer) -> None:
    categories = []
    for label, colour in CLASS_COLOURS.items():
        # an outline in the fill's own colour closes the hairline seams antialiasing leaves between cells
        symbol = QgsFillSymbol.createSimple(
            {
                "color": colour,
                "style": "solid",
                "outline_color": colour,
                "outline_width": "0.1",
                "outline_style": "solid",
            }
        )
        if label == H.NOT_SIGNIFICANT:
            symbol.setOpacity(0.6)
        categories.append(QgsRendererCategory(label, symbol, class_legend(label)))
    layer.setRenderer(QgsCategorizedSymbolRenderer(H.CLASS, categories))
    layer.triggerRepaint()


def apply_hotspots_style(layer) -> None:
    symbol = QgsFillSymbol.createSimple(
        {
            "style": "no",
            "outline_color": ZONE_OUTLINE,
            "outline_width": "0.6",
            "outline_style": "solid",
        }
    )
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    label_layer(layer, f"\"{H.ZONE_ID}\" || '\\n' || \"{H.CRIMES}\" || ' crimes'", ZONE_OUTLINE)


def apply_crime_points_style(layer) -> None:
    """Small translucent dark-red dots: where crimes are, readable under zones and tracks."""
    from qgis.core import QgsMarkerSymbol

    symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": "#b2182b", "size": "1.4", "outline_style": "no"})
    symbol.setOpacity(0.55)
    layer.setRenderer(QgsSingleSymbolRenderer(symbol))
    layer.triggerRepaint()
