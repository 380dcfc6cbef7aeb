"""The Shift dock replaying the bundled sample: the table, the live map layer updated in place, the
banner, double-click zoom, the refresh interval, and a picture of it all (docs/shift_dock.png).

Expected values come from one ``matching.match`` over the pings up to the replay clock (the
matchtracks core) and hand arithmetic, never from the dock's engine.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from qgis.core import (
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsMarkerSymbol,
    QgsProject,
    QgsSingleSymbolRenderer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QColor, QFont, QImage, QPainter
from qgis.PyQt.QtWidgets import QApplication

from hotspot_patrol_plugin.core import matching as M
from hotspot_patrol_plugin.core import shift as S
from hotspot_patrol_plugin.qgis_io.live_source import SourceError
from hotspot_patrol_plugin.ui.rows_model import KEY_ROLE
from hotspot_patrol_plugin.ui.shift_dock import REPLAY, ShiftSetup, ShiftUi

SHIFT_START = pd.Timestamp("2026-11-20T19:00:00Z").timestamp()  # November: London time is UTC
SHIFT_END = pd.Timestamp("2026-11-20T23:00:00Z").timestamp()
PARAMS = M.MatchParams(target_min=540.0, target_max=840.0)


@pytest.fixture()
def ui_font(qgis_app):
    old = QApplication.font()
    QApplication.setFont(QFont("DejaVu Sans", 9))
    yield
    QApplication.setFont(old)


@pytest.fixture()
def layers(qgis_new_project, sample_gpkg):
    pings = QgsVectorLayer(f"{sample_gpkg}|layername=pings", "pings", "ogr")
    zones = QgsVectorLayer(f"{sample_gpkg}|layername=zones", "zones", "ogr")
    assert pings.isValid() and zones.isValid()
    QgsProject.instance().addMapLayers([zones, pings])
    return pings, zones


@pytest.fixture()
def shift(qgis_iface, layers, ui_font):
    ui = ShiftUi(qgis_iface)
    pings, zones = layers
    setup = ShiftSetup(pings, "callsign", "time", zones, SHIFT_START, SHIFT_END, mode=REPLAY, speed=60.0, params=PARAMS)
    ui.controller.start(setup)
    ui.dock.resize(430, 640)
    ui.dock.show()
    yield ui
    ui.unload()


def _sample_arrays(layers):
    """All pings of the sample as the matchtracks core reads them (unit codes, UTC, metres)."""
    from qgis.core import QgsProcessingFeedback

    from hotspot_patrol_plugin.qgis_io.areas import read_areas
    from hotspot_patrol_plugin.qgis_io.tracks import read_tracks

    pings, zones = layers
    tr = read_tracks(pings, pings, None, "callsign", "time", "Europe/London", None, QgsProcessingFeedback())
    areas = read_areas(zones, "zone", "zone_id", None, QgsProcessingFeedback(), True)
    return tr, areas


def _table(dock):
    cols = [c.key for c in dock.model.columns]
    rows = []
    for r in range(dock.proxy.rowCount()):
        rows.append(
            {k: dock.proxy.index(r, i).data() for i, k in enumerate(cols)}
            | {
                "_bg": dock.proxy.index(r, 0).data(Qt.ItemDataRole.BackgroundRole),
                "_key": dock.proxy.index(r, 0).data(KEY_ROLE),
            }
        )
    return rows


def test_replay_shows_the_zones_most_due_first_with_the_matchtracks_numbers(shift, layers):
    c = shift.controller
    c.source.advance(2.5 * 3600)  # 21:30
    assert c.refresh()
    now = c.now()
    assert now == SHIFT_START + 2.5 * 3600
    tr, areas = _sample_arrays(layers)
    upto = tr.t <= now
    visits = M.match(
        M.Tracks.build(tr.unit[upto], tr.t[upto], tr.x[upto], tr.y[upto]), M.PolygonAreas(areas.geoms), PARAMS
    )
    last_ping = pd.Series(tr.t[upto]).groupby(tr.unit[upto]).max()
    rows = _table(shift.dock)
    assert len(rows) == len(areas.ids) == 10
    scores = [float(r["due_score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    for r in rows:
        k = areas.ids.index(r["_key"])
        mine = (visits.area == k) & ~visits.pass_through & (visits.exit - visits.entry >= PARAMS.target_min)
        ongoing = (
            mine & (visits.exit == last_ping.reindex(visits.unit).to_numpy()) & (now - visits.exit <= PARAMS.max_gap)
        )
        if ongoing.any():
            want = 0.0
        elif mine.any():
            want = (now - visits.exit[mine].max()) / 60.0
        else:
            want = (now - SHIFT_START) / 60.0
        assert float(r["minutes_since"].replace(",", "")) == pytest.approx(want, abs=0.5), r
        # 3 visits of 9 min planned per zone over 4 h: spacing 80 min; weight (6 - priority) / 3
        prio = shift.controller.zones.priority[k]
        assert float(r["due_score"]) == pytest.approx(want / 80.0 * (6 - prio) / 3, abs=0.01)
        due = S.DUE_OVERDUE if float(r["due_score"]) >= 1.5 else None
        if due:
            assert r["_bg"].color().name() == QColor(S.DUE_COLOURS[due]).name()


def test_the_live_layer_is_updated_in_place(shift):
    c = shift.controller
    layer = c.due_layer.layer
    n_layers = len(QgsProject.instance().mapLayers())
    fids = sorted(f.id() for f in layer.getFeatures())
    before = {f["zone_id"]: f["minutes_since"] for f in layer.getFeatures()}
    for _ in range(4):
        c.source.advance(900)
        assert c.refresh()
    assert len(QgsProject.instance().mapLayers()) == n_layers
    assert c.due_layer.layer is layer and sorted(f.id() for f in layer.getFeatures()) == fids
    after = {f["zone_id"]: f["minutes_since"] for f in layer.getFeatures()}
    # removed from the project by hand: the next refresh puts a new one back
    QgsProject.instance().removeMapLayer(layer.id())
    c.source.advance(60)
    assert c.refresh()
    assert c.due_layer.layer.featureCount() == 10 and QgsProject.instance().mapLayer(c.due_layer.layer.id())
    assert after != before
    layer = c.due_layer.layer
    board = c.board.set_index("zone_id")
    for f in layer.getFeatures():
        assert f["due"] == board.loc[f["zone_id"], "due"]
        sym = layer.renderer().categories()[[cat.value() for cat in layer.renderer().categories()].index(f["due"])]
        assert sym.symbol().color().name() == QColor(S.DUE_COLOURS[f["due"]]).name()


def test_a_failed_fetch_shows_a_banner_and_the_next_refresh_recovers(shift, monkeypatch):
    c = shift.controller
    c.source.advance(3600)
    assert c.refresh()
    kept = len(c.engine.visits())
    real = c.source.fetch

    def broken():
        raise SourceError("The connection to the pings table was lost (server closed the connection).")

    monkeypatch.setattr(c.source, "fetch", broken)
    assert not c.refresh()
    assert shift.dock.banner.isVisibleTo(shift.dock) and "connection" in shift.dock.banner.text()
    assert len(c.engine.visits()) == kept
    monkeypatch.setattr(c.source, "fetch", real)
    c.source.advance(600)
    assert c.refresh()
    assert not shift.dock.banner.isVisibleTo(shift.dock)
    assert len(c.engine.visits()) >= kept


def test_double_click_zooms_to_the_zone(shift, qgis_iface, canvas, qtbot):
    c = shift.controller
    c.source.advance(3600)
    c.refresh()
    qtbot.waitExposed(shift.dock)
    view = shift.dock.table
    rect = view.visualRect(shift.dock.proxy.index(0, 0))
    zid = shift.dock.proxy.index(0, 0).data(KEY_ROLE)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    box = next(f for f in c.due_layer.layer.getFeatures() if f["zone_id"] == zid).geometry().boundingBox()
    extent = qgis_iface.mapCanvas().extent()
    assert extent.contains(box)
    # zoomed to 3 x the zone's box (the canvas's aspect ratio widens one side)
    assert min(extent.width() / box.width(), extent.height() / box.height()) == pytest.approx(3.0, rel=0.01)


def test_the_refresh_interval_follows_the_layer(shift, layers):
    pings, _ = layers
    c = shift.controller
    assert c.interval_ms() == 1000  # a replay moves on every second
    c.setup.mode = "live"
    shift.dock.interval.setValue(45)
    assert c.interval_ms() == 45000 and c.timer.interval() == 45000
    pings.setAutoRefreshInterval(5000)
    pings.setAutoRefreshEnabled(True)
    assert c.interval_ms() == 5000


def test_render_the_dock_and_map(shift, root, tmp_path):
    """docs/shift_dock.png (HP_UPDATE_DOCS=1): the dock at 21:30 in the replay, beside the map."""
    c = shift.controller
    c.source.advance(2.5 * 3600)
    c.refresh()
    QApplication.processEvents()
    dock_img = shift.dock.grab().toImage()
    settings = QgsMapSettings()
    pings = [lyr for lyr in QgsProject.instance().mapLayers().values() if lyr.name() == "pings"][0]
    pings.setRenderer(
        QgsSingleSymbolRenderer(
            QgsMarkerSymbol.createSimple({"name": "circle", "size": "0.9", "color": "#9a9a9a", "outline_style": "no"})
        )
    )
    pings.setOpacity(0.5)
    settings.setLayers([pings, c.due_layer.layer])
    settings.setDestinationCrs(c.due_layer.layer.crs())
    extent = c.due_layer.layer.extent()
    extent.scale(1.15)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(520, dock_img.height()))
    settings.setBackgroundColor(QColor("#f4f4f0"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    out = QImage(dock_img.width() + 520, dock_img.height(), QImage.Format.Format_ARGB32)
    out.fill(QColor("#ffffff"))
    p = QPainter(out)
    p.drawImage(0, 0, dock_img)
    p.drawImage(dock_img.width(), 0, job.renderedImage())
    p.end()
    target = (root / "docs" if os.environ.get("HP_UPDATE_DOCS") else tmp_path) / "shift_dock.png"
    assert out.save(str(target))
    img = QImage(str(target))
    # the overdue colour shows in both halves (table cells and map fills)
    overdue = QColor(S.DUE_COLOURS[S.DUE_OVERDUE]).rgb() & 0xFFFFFF
    if (c.board["due"] == S.DUE_OVERDUE).any():
        halves = [0, 0]
        for x in range(0, img.width(), 3):
            for y in range(0, img.height(), 3):
                if img.pixel(x, y) & 0xFFFFFF == overdue:
                    halves[x >= dock_img.width()] += 1
        assert halves[0] > 0
    assert np.any(c.board["units_inside"].to_numpy() >= 0)


def test_play_moves_the_replay_on_by_itself(shift, qtbot):
    c = shift.controller
    seen = c.engine.totals.accepted
    shift.dock.speed.setCurrentIndex(shift.dock.speed.findData(300.0))
    qtbot.mouseClick(shift.dock.play, Qt.MouseButton.LeftButton)
    assert c.source.playing and shift.dock.play.text() == "Pause"
    qtbot.waitUntil(lambda: c.engine.totals.accepted > seen, timeout=5000)
    assert c.now() > SHIFT_START
    qtbot.mouseClick(shift.dock.play, Qt.MouseButton.LeftButton)
    assert not c.source.playing
