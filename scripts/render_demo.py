"""Renders the demo's outputs, styled as the plugin styles them, to docs/demo_coverage.png."""

import sys
from pathlib import Path

from qgis.core import (
    QgsApplication,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsRectangle,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(out_dir="out/demo", png="docs/demo_coverage.png"):
    app = QgsApplication([], False)
    app.initQgis()
    from hotspot_patrol_plugin.qgis_io.styles import apply_coverage_style, apply_visits_style

    cov = QgsVectorLayer(str(ROOT / out_dir / "coverage.gpkg"), "coverage", "ogr")
    vis = QgsVectorLayer(str(ROOT / out_dir / "visits.gpkg"), "visits", "ogr")
    apply_coverage_style(cov)
    apply_visits_style(vis)
    settings = QgsMapSettings()
    settings.setLayers([vis, cov])
    settings.setDestinationCrs(cov.crs())
    ext = QgsRectangle(cov.extent())
    ext.scale(1.15)
    settings.setExtent(ext)
    settings.setOutputSize(QSize(1200, 900))
    settings.setBackgroundColor(QColor("white"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(str(ROOT / png))
    print(png)


if __name__ == "__main__":
    main(*sys.argv[1:])
