"""Bridge for the evaluation and the public report: layers -> arrays, results -> layers and files.

``hotspotpatrol:evaluate`` reads crimes, zones and coverage here and writes its per-zone layer, its
areas layer and its summary table; ``hotspotpatrol:transparencyreport`` builds its HTML and PDF here
(the page layout is ``resources/templates/transparency_report.html``).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFields,
    QgsProcessingException,
)

from ..core import evaluation as E
from ..core.crs import transform_finite
from . import compat, fieldtypes
from .areas import read_areas
from .features import new_feature, qgs_geometries
from .layers import read_points

NO_LOCATION = "no location"
NO_DATE = "missing or unparseable date"
OUTSIDE = "outside both periods"
NO_HARM = "missing or negative harm weight"


@dataclass
class CrimeInput:
    crimes: E.Crimes
    rows_read: int
    skipped: dict = field(default_factory=dict)
    outside: int = 0


def read_crimes(
    source, layer, definition, date_field, type_field, harm_field, to_work, timezone, periods, feedback
) -> CrimeInput:
    """Crime points in the working CRS with UTC times, types and harm; bad rows counted by reason."""
    from ..core.times import parse_times

    for name, label in ((date_field, "date"), (type_field, "crime type"), (harm_field, "harm")):
        if name and source.fields().indexFromName(name) < 0:
            raise QgsProcessingException(
                f"The {label} field '{name}' does not exist in the crime layer (its fields: "
                f"{', '.join(source.fields().names())})."
            )
    wanted = [f for f in (date_field, type_field, harm_field) if f]
    table = read_points(source, layer, wanted, feedback, definition)
    x, y = transform_finite(to_work, table.x, table.y)
    t = parse_times(table.columns[date_field], timezone).seconds
    keep = np.ones(len(x), dtype=bool)
    skipped = {}

    def drop(reason, bad):
        bad = bad & keep
        if bad.any():
            skipped[reason] = int(bad.sum())
            feedback.pushWarning(
                f"Skipped {int(bad.sum()):,} crime(s) with {reason} (first feature ids: {table.fid[bad][:5].tolist()})."
            )
            keep[bad] = False

    drop(NO_LOCATION, ~(np.isfinite(x) & np.isfinite(y)))
    drop(NO_DATE, ~np.isfinite(t))
    harm = None
    if harm_field:
        import pandas as pd

        harm = pd.to_numeric(pd.Series(table.columns[harm_field], dtype=object), errors="coerce").to_numpy(float)
        drop(NO_HARM, ~(harm >= 0))
    with np.errstate(invalid="ignore"):
        inside = np.zeros(len(t), dtype=bool)
        for lo, hi in periods:
            inside |= (t >= lo) & (t < hi)
    outside = int((keep & ~inside).sum())
    keep &= inside
    kind = table.columns[type_field][keep] if type_field else None
    crimes = E.Crimes(x[keep], y[keep], t[keep], kind, None if harm is None else harm[keep])
    return CrimeInput(crimes, len(table), skipped, outside)


def read_zones(source, what, id_field, to_work, feedback):
    """Zones as shapely polygons in the working CRS, with their ids (the zone_id field when present)."""
    from .areas import area_id_field

    areas = read_areas(source, what, area_id_field(source, id_field or "", "zone_id"), to_work, feedback, True)
    if not areas.ids:
        raise QgsProcessingException(f"The {what} layer has no polygons with a geometry.")
    return areas.geoms, areas.ids


def read_coverage(source, feedback) -> tuple[dict, dict]:
    """(presence minutes, officer minutes) per zone id from a matchtracks coverage layer."""
    from ..core import fields as F

    names = source.fields().names()
    if F.ZONE_ID not in names or F.PRESENCE_MIN not in names:
        raise QgsProcessingException(
            f"The coverage layer needs the fields '{F.ZONE_ID}' and '{F.PRESENCE_MIN}' (the Coverage output of "
            f"'Match officer tracks to hot spots'); it has: {', '.join(names)}."
        )
    officer_field = F.DWELL_TOTAL_MIN if F.DWELL_TOTAL_MIN in names else F.PRESENCE_MIN
    presence, officer = {}, {}
    for feat in source.getFeatures():
        zid = feat[F.ZONE_ID]
        if zid is None or str(zid) == "NULL":
            continue

        def num(v):
            try:
                v = float(v)
            except (TypeError, ValueError):
                return 0.0
            return v if math.isfinite(v) else 0.0

        presence[str(zid)] = presence.get(str(zid), 0.0) + num(feat[F.PRESENCE_MIN])
        officer[str(zid)] = officer.get(str(zid), 0.0) + num(feat[officer_field])
    return presence, officer


def read_type_table(path: str, what: str) -> dict:
    """A CSV of crime type -> number (harm weight or cost); header recognised; keys case-folded.
    One row named '*' or 'all' applies to every type."""
    out = {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            for line_no, row in enumerate(csv.reader(f), start=1):
                cells = [c.strip() for c in row]
                if not any(cells):
                    continue
                if len(cells) < 2 or not cells[0]:
                    raise QgsProcessingException(
                        f"The {what} table {path}, line {line_no}: expected 'crime type, value'."
                    )
                try:
                    value = float(cells[1].replace(",", "").lstrip("£$€"))
                except ValueError:
                    if line_no == 1:
                        continue  # a header
                    raise QgsProcessingException(
                        f"The {what} table {path}, line {line_no}: '{cells[1]}' for '{cells[0]}' is not a number."
                    ) from None
                if not math.isfinite(value) or value < 0:
                    raise QgsProcessingException(
                        f"The {what} table {path}, line {line_no}: '{cells[0]}' has a negative or invalid value."
                    )
                key = cells[0].casefold()
                out["*" if key in ("*", "all", "all crime", "any") else key] = value
    except OSError as e:
        raise QgsProcessingException(f"The {what} table {path} cannot be read ({e.strerror}).") from None
    if not out:
        raise QgsProcessingException(f"The {what} table {path} holds no rows of 'crime type, value'.")
    return out


def work_crs(source_crs: QgsCoordinateReferenceSystem, extent) -> QgsCoordinateReferenceSystem:
    from .crs import working_crs

    return working_crs(source_crs, extent)


# ------------------------------------------------------------------------------------ outputs
ZONE_FIELDS = (
    ("zone_id", "s"),
    ("control_id", "s"),
    ("treated_before", "d"),
    ("treated_after", "d"),
    ("control_before", "d"),
    ("control_after", "d"),
    ("ring_before", "d"),
    ("ring_after", "d"),
    ("ring_control_before", "d"),
    ("ring_control_after", "d"),
    ("wdd_local", "d"),
    ("wdd_displacement", "d"),
    ("wdd_total", "d"),
    ("wdd_se", "d"),
    ("wdd_z", "d"),
    ("wdd_p", "d"),
    ("wdd_ci_low", "d"),
    ("wdd_ci_high", "d"),
    ("e_test_p", "d"),
    ("wdq", "d"),
    ("success", "d"),
    ("tne", "d"),
    ("reading", "s"),
    ("presence_min", "d"),
    ("result", "s"),
    ("sentence", "s"),
)
SUMMARY_FIELDS = (("group", "s"),) + ZONE_FIELDS[2:19] + (("sentence", "s"),)
AREA_FIELDS = (("role", "s"), ("zone_id", "s"), ("area_m2", "d"))
KINDS = {"s": fieldtypes.STRING, "d": fieldtypes.DOUBLE}


def _fields(spec) -> QgsFields:
    fs = QgsFields()
    for name, kind in spec:
        fs.append(fieldtypes.field(name, KINDS[kind]))
    return fs


def _num(v):
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)


def _count_values(c: E.Counts | None, r: E.WDD) -> list:
    counts = (
        [None] * 8
        if c is None
        else [_num(v) for pair in (c.treated, c.control, c.displacement, c.displacement_control) for v in pair]
    )
    return counts + [_num(v) for v in (r.local, r.displacement, r.total, r.se, r.z, r.p, r.ci_low, r.ci_high)]


def result_class(r: E.WDD) -> str:
    if r.se == 0 and r.total == 0:
        return "no crime"
    if r.p < 0.05:
        return "fewer crimes" if r.total < 0 else "more crimes"
    return "no clear change"


def write_evaluation(alg, parameters, context, ev: E.Evaluation, crs, keys) -> dict:
    """The per-zone layer, the areas layer and the summary table. ``keys`` = (zones, areas, summary)."""
    zones_key, areas_key, summary_key = keys
    out = {}
    fields = _fields(ZONE_FIELDS)
    sink, out[zones_key] = alg.parameterAsSink(parameters, zones_key, context, fields, compat.WKB_MULTIPOLYGON, crs)
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, zones_key))
    geoms = qgs_geometries(ev.design.treated)
    for z, g in zip(ev.zones, geoms):
        q = z["wdq"]
        attrs = (
            [z["zone_id"], z["control_id"]]
            + _count_values(z["counts"], z["wdd"])
            + [
                _num(z["e_test_p"]),
                _num(q.wdq),
                _num(q.success),
                _num(q.tne),
                q.reading or q.refusal,
                _num(z["presence_min"]),
                result_class(z["wdd"]),
                z["sentence"],
            ]
        )
        sink.addFeature(new_feature(fields, attrs, g), compat.SINK_FAST_INSERT)

    fields = _fields(AREA_FIELDS)
    sink, out[areas_key] = alg.parameterAsSink(parameters, areas_key, context, fields, compat.WKB_MULTIPOLYGON, crs)
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, areas_key))
    import shapely

    d = ev.design
    for role, geoms_, ids in (
        ("treated", d.treated, d.treated_ids),
        ("control", d.control, d.control_ids),
        ("ring", d.rings, d.treated_ids),
        ("control ring", d.control_rings, d.control_ids),
    ):
        for g, zid, qg in zip(geoms_, ids, qgs_geometries(geoms_)):
            if shapely.is_empty(g):
                continue
            sink.addFeature(new_feature(fields, [role, str(zid), float(shapely.area(g))], qg), compat.SINK_FAST_INSERT)

    fields = _fields(SUMMARY_FIELDS)
    sink, out[summary_key] = alg.parameterAsSink(
        parameters, summary_key, context, fields, compat.WKB_NO_GEOMETRY, QgsCoordinateReferenceSystem()
    )
    if sink is None:
        raise QgsProcessingException(alg.invalidSinkError(parameters, summary_key))
    rows = [("all zones", ev.overall["counts"], ev.wdd, ev.overall["e_test_p"], ev.overall["sentence"])]
    rows += [(r["group"], r["counts"], r["wdd"], None, r["sentence"]) for r in ev.by_type]
    for group, c, r, p, sentence in rows:
        sink.addFeature(
            new_feature(fields, [group] + _count_values(c, r) + [_num(p), sentence]), compat.SINK_FAST_INSERT
        )
    return out


def apply_zone_style(layer) -> None:
    """Zones coloured by result: fewer crimes (blue), no clear change (grey), more crimes (orange)."""
    from qgis.core import QgsCategorizedSymbolRenderer, QgsFillSymbol, QgsRendererCategory

    cats = []
    for value, colour in (
        ("fewer crimes", "#0072B2"),
        ("no clear change", "#BBBBBB"),
        ("more crimes", "#E69F00"),
        ("no crime", "#FFFFFF"),
    ):
        sym = QgsFillSymbol.createSimple({"color": colour, "outline_color": "#333333", "outline_width": "0.4"})
        cats.append(QgsRendererCategory(value, sym, value))
    layer.setRenderer(QgsCategorizedSymbolRenderer("result", cats))
    layer.triggerRepaint()


def apply_areas_style(layer) -> None:
    from qgis.core import QgsCategorizedSymbolRenderer, QgsFillSymbol, QgsRendererCategory

    cats = []
    for value, colour, label in (
        ("treated", "0,114,178", "patrolled zone"),
        ("control", "0,158,115", "control zone"),
        ("ring", "86,180,233", "displacement ring"),
        ("control ring", "166,219,160", "ring around control"),
    ):
        sym = QgsFillSymbol.createSimple(
            {"color": colour + ",150", "outline_color": colour + ",255", "outline_width": "0.4"}
        )
        cats.append(QgsRendererCategory(value, sym, label))
    layer.setRenderer(QgsCategorizedSymbolRenderer("role", cats))
    layer.triggerRepaint()


def style_on_load(context, layer_id, apply) -> None:
    from .styles import StylePostProcessor

    if layer_id and context.willLoadLayerOnCompletion(layer_id):
        context.layerToLoadOnCompletionDetails(layer_id).setPostProcessor(StylePostProcessor.create(apply))


def write_charts(ev: E.Evaluation, chart_path: str | None, dose_path: str | None, feedback) -> dict:
    from . import charts

    out = {}
    if not (chart_path or dose_path):
        return out
    if not charts.available():
        feedback.pushWarning("matplotlib is not available in this QGIS: the charts are skipped.")
        return out
    if chart_path:
        out["CHART"] = charts.before_after(chart_path, ev.overall["counts"])
    if dose_path and ev.dosage is not None and not ev.dosage.refusal:
        have = [z for z in ev.zones if z["presence_min"] is not None]
        out["DOSE_CHART"] = charts.dosage(
            dose_path,
            [z["presence_min"] / 60 for z in have],
            [z["counts"].treated[1] - z["counts"].treated[0] for z in have],
            [z["zone_id"] for z in have],
            ev.dosage.rate_ratio,
        )
    return out


# ==================================================================================== public report
@dataclass
class VisitTable:
    zone: list
    month: list
    dwell_min: list
    on_target: list
    skipped: dict = field(default_factory=dict)


def read_visits(source, zone_field: str, timezone: str, feedback) -> VisitTable:
    """The counted visits (pass-throughs left out) as zone, local month, dwell and on-target flags.
    Officer ids are never read."""
    import pandas as pd

    from ..core import fields as F
    from .layers import qdatetime_text

    names = source.fields().names()
    need = [zone_field, F.ENTRY_TIME, F.DWELL_MIN]
    missing = [n for n in need if n not in names]
    if missing:
        raise QgsProcessingException(
            f"The visits layer lacks the field(s) {', '.join(missing)} (use the Visits output of 'Match officer "
            f"tracks to hot spots'); it has: {', '.join(names)}."
        )
    zone, when, dwell, target = [], [], [], []
    skipped = {}
    idx = [source.fields().indexFromName(n) for n in (zone_field, F.ENTRY_TIME, F.DWELL_MIN, F.BAND, F.PASS_THROUGH)]
    from qgis.core import QgsFeatureRequest

    req = QgsFeatureRequest().setSubsetOfAttributes([i for i in idx if i >= 0]).setFlags(compat.REQUEST_NO_GEOMETRY)
    for feat in source.getFeatures(req):
        attrs = feat.attributes()

        def get(i, attrs=attrs):
            return attrs[i] if i >= 0 else None

        pt = get(idx[4])
        if pt is True or str(pt).lower() in ("true", "1"):
            continue
        z, t, d = get(idx[0]), get(idx[1]), get(idx[2])
        try:
            d = float(d)
        except (TypeError, ValueError):
            d = float("nan")
        if z is None or str(z) == "NULL" or t is None or not math.isfinite(d):
            skipped["visits without a zone, an entry time or a dwell"] = (
                skipped.get("visits without a zone, an entry time or a dwell", 0) + 1
            )
            continue
        zone.append(str(z))
        when.append(qdatetime_text(t) if not isinstance(t, str) else t)
        dwell.append(d)
        target.append(str(get(idx[3])).lower() == "target")
    stamps = pd.to_datetime(pd.Series(when, dtype=object), utc=True, errors="coerce", format="mixed")
    months = stamps.dt.tz_convert(timezone).dt.strftime("%Y-%m").tolist()
    keep = [i for i, m in enumerate(months) if isinstance(m, str)]
    if len(keep) < len(months):
        skipped["visits with an unreadable entry time"] = len(months) - len(keep)
    return VisitTable(
        [zone[i] for i in keep], [months[i] for i in keep], [dwell[i] for i in keep], [target[i] for i in keep], skipped
    )


def read_evaluation_layer(source) -> dict:
    """zone id -> (treated_before, treated_after, sentence) from an evaluate OUTPUT layer."""
    names = source.fields().names()
    need = ["zone_id", "treated_before", "treated_after"]
    if any(n not in names for n in need):
        raise QgsProcessingException(
            "The evaluation layer needs zone_id, treated_before and treated_after (the 'Evaluation per zone' "
            f"output of 'Evaluate hot spot patrols'); it has: {', '.join(names)}."
        )
    out = {}
    for f in source.getFeatures():
        out[str(f["zone_id"])] = (f["treated_before"], f["treated_after"], f["sentence"] if "sentence" in names else "")
    return out


def render_zone_map(source, id_field, path: str, generalise: float = 0.0, size=(900, 600)) -> str:
    """A PNG of the zones (or, generalised, of dots at their snapped centroids), drawn offline with
    QgsMapRendererParallelJob: no base map, nothing fetched."""
    from qgis.core import (
        QgsFeature,
        QgsGeometry,
        QgsMapRendererParallelJob,
        QgsMapSettings,
        QgsPalLayerSettings,
        QgsPointXY,
        QgsTextFormat,
        QgsVectorLayer,
        QgsVectorLayerSimpleLabeling,
    )
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor

    from ..core.suppression import snap_to_grid

    crs = source.sourceCrs()
    if generalise > 0:
        layer = QgsVectorLayer(f"Point?crs={crs.authid() or 'EPSG:27700'}&field=label:string", "zones", "memory")
        feats = []
        for f in source.getFeatures():
            c = f.geometry().centroid().asPoint()
            x, y = snap_to_grid([c.x()], [c.y()], generalise)
            g = QgsFeature(layer.fields())
            g.setAttributes([str(f[id_field]) if id_field else str(f.id())])
            g.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x[0]), float(y[0]))))
            feats.append(g)
        layer.dataProvider().addFeatures(feats)
        from qgis.core import QgsMarkerSymbol

        layer.renderer().setSymbol(
            QgsMarkerSymbol.createSimple(
                {"name": "circle", "color": "#0b4f8a", "size": "5", "outline_color": "#ffffff"}
            )
        )
    else:
        layer = QgsVectorLayer(f"Polygon?crs={crs.authid() or 'EPSG:27700'}&field=label:string", "zones", "memory")
        feats = []
        for f in source.getFeatures():
            g = QgsFeature(layer.fields())
            g.setAttributes([str(f[id_field]) if id_field else str(f.id())])
            g.setGeometry(f.geometry())
            feats.append(g)
        layer.dataProvider().addFeatures(feats)
        from qgis.core import QgsFillSymbol

        layer.renderer().setSymbol(
            QgsFillSymbol.createSimple(
                {"color": "11,79,138,110", "outline_color": "11,79,138,255", "outline_width": "0.5"}
            )
        )
    layer.updateExtents()
    labels = QgsPalLayerSettings()
    labels.fieldName = "label"
    fmt = QgsTextFormat()
    fmt.setSize(9)
    fmt.setColor(QColor("#111111"))
    buffer = fmt.buffer()
    buffer.setEnabled(True)
    buffer.setColor(QColor("#ffffff"))
    fmt.setBuffer(buffer)
    labels.setFormat(fmt)
    layer.setLabeling(QgsVectorLayerSimpleLabeling(labels))
    layer.setLabelsEnabled(True)
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setDestinationCrs(layer.crs())
    extent = layer.extent()
    extent.scale(1.25)
    if extent.width() < 500:
        extent.setXMinimum(extent.center().x() - 250)
        extent.setXMaximum(extent.center().x() + 250)
    if extent.height() < 350:
        extent.setYMinimum(extent.center().y() - 175)
        extent.setYMaximum(extent.center().y() + 175)
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*size))
    settings.setBackgroundColor(QColor("#f4f1ea"))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    job.renderedImage().save(path, "PNG")
    return path


def _data_uri(path: str) -> str:
    import base64

    with open(path, "rb") as f:
        return "data:image/png;base64," + base64.b64encode(f.read()).decode("ascii")


def _esc(text) -> str:
    import html

    return html.escape(str(text), quote=True)


def _table(
    caption: str, col_labels: list, row_labels: list, values, hide, threshold: int, digits: int = 0, counts: bool = True
) -> str:
    """An accessible HTML table of values with margins (last row/column = totals) and suppression."""
    from ..core.suppression import shown

    r, c = len(row_labels), len(col_labels)
    head = "".join(f'<th scope="col">{_esc(x)}</th>' for x in ["Zone", *col_labels, "Total"])
    rows = []
    for i in range(r + 1):
        label = "All zones" if i == r else row_labels[i]
        cells = "".join(
            f"<td>{_esc(shown(values[i][j], hide[i][j], threshold, digits) if counts or not hide[i][j] else '*')}</td>"
            for j in range(c + 1)
        )
        cls = ' class="total"' if i == r else ""
        rows.append(f'<tr{cls}><th scope="row">{_esc(label)}</th>{cells}</tr>')
    return (
        f"<table><caption>{_esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


METHOD_HTML = (
    "<p><strong>What a visit is.</strong> Officers' radios and vehicles record where they are every few "
    "seconds. A visit is the time an officer was inside a hot spot zone, from entering to leaving; two "
    "visits less than a minute apart count as one, and passing through in under a minute does not count. "
    "Research (the &ldquo;Koper curve&rdquo;) suggests visits of 10 to 15 minutes work best; &ldquo;on "
    "target&rdquo; is the share of visits of that length. Patrol hours add up every officer's time in the"
    " zone.</p> "
    "<p><strong>What the crime figures compare.</strong> Crime in the patrolled zones before and after is"
    " compared with similar zones that were not patrolled, and with the streets around both, so that a "
    "general rise or fall, or crime simply moving round the corner, is not mistaken for an effect of the "
    "patrols (the weighted displacement difference test of Wheeler and Ratcliffe, 2018).</p> "
    "<p><strong>What the numbers cannot say.</strong> Recorded crime depends on what is reported; a few "
    "crimes either way can be chance, which is why an interval is given; the comparison zones are similar"
    " but not identical; and this is an observational comparison, not a randomised trial.</p> "
    "<p><strong>Privacy.</strong> This report holds no officer names or numbers, no tracks and no times "
    "of individual visits: only totals per zone and month. Small numbers are hidden so that no single "
    "incident or visit can be picked out$generalised.</p>"
)


def build_report_html(
    title,
    period,
    published,
    headline,
    map_path,
    map_alt,
    map_caption,
    months,
    zones,
    visits,
    hours,
    target,
    crime,
    sentences,
    chart_path,
    threshold,
    generalised: bool,
    inline: bool = True,
) -> tuple[str, int]:
    """(HTML text, number of hidden cells). ``inline``: images as data URIs (the HTML file); else as
    the names 'map.png' / 'chart.png' (the PDF's document resources)."""
    from string import Template

    import numpy as np

    from ..core.suppression import suppress, with_margins
    from ..paths import resource

    hidden = 0
    vis_hide = suppress(visits, threshold)
    hidden += int(vis_hide.sum())
    tables = [
        _table("Visits (at least a minute in the zone)", months, zones, with_margins(visits), vis_hide, threshold),
        _table("Patrol hours delivered", months, zones, with_margins(hours), vis_hide, threshold, 1, counts=False),
    ]
    share = with_margins(target)
    share = np.divide(share * 100, with_margins(visits), out=np.zeros_like(share), where=with_margins(visits) > 0)
    tables.append(
        _table("Share of visits on target (10–15 minutes), %", months, zones, share, vis_hide, threshold, counts=False)
    )
    crime_html = "<p>No crime evaluation was supplied.</p>"
    if crime is not None:
        c_hide = suppress(crime, threshold)
        hidden += int(c_hide.sum())
        crime_html = _table(
            "Recorded crimes in the patrolled zones", ["Before", "After"], zones, with_margins(crime), c_hide, threshold
        )
        # a zone's sentence is derived from its counts: withheld where any of them is hidden
        sentences = [
            s if not c_hide[i].any() else f"Zone {zones[i]}: too few crimes to say more without identifying them."
            for i, s in enumerate(sentences)
        ]
        crime_totals = with_margins(crime)[-1, :2]
        if c_hide[-1, :2].any():
            chart_path = None  # the chart would show the hidden totals
    sentence_html = "".join(f"<p>{_esc(s)}</p>" for s in sentences if s)
    chart = ""
    if chart_path:
        src = _data_uri(chart_path) if inline else "chart.png"
        size = "" if inline else ' width="330"'  # the PDF's page is narrower than a screen
        chart = (
            f'<figure><img src="{src}"{size} alt="Bar chart of the recorded crimes in all patrolled zones together: '
            f'{crime_totals[0]:,.0f} before and {crime_totals[1]:,.0f} after."><br><figcaption class="note">Recorded '
            f"crimes in the patrolled zones, before and after (the comparison with other areas is in the text "
            f"above).</figcaption></figure>"
        )
    text = Template(open(resource("templates", "transparency_report.html"), encoding="utf-8").read())
    html_text = text.substitute(
        title=_esc(title),
        period=_esc(period),
        published=_esc(published),
        headline=_esc(headline),
        map_src=_data_uri(map_path) if inline else "map.png",
        map_size="" if inline else 'width="440"',
        map_alt=_esc(map_alt),
        map_caption=_esc(map_caption),
        patrol_tables="".join(tables),
        threshold=threshold,
        threshold_less=threshold - 1,
        crime_table=crime_html,
        zone_sentences=sentence_html,
        chart=chart,
        method=METHOD_HTML.replace(
            "$generalised", "; zones are shown only as dots snapped to a grid" if generalised else ""
        ),
    )
    return html_text, hidden


def write_pdf(html_text: str, images: dict, path: str) -> str:
    """The report as a PDF through QTextDocument and QPrinter (no browser, nothing fetched)."""
    from qgis.PyQt.QtCore import QSizeF, QUrl
    from qgis.PyQt.QtGui import QImage, QTextDocument
    from qgis.PyQt.QtPrintSupport import QPrinter

    doc = QTextDocument()
    for name, file in images.items():
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), QImage(file))
    doc.setHtml(html_text)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(path)
    # lay the text out on the printed page in points, so image widths in the HTML are points too
    doc.setPageSize(QSizeF(printer.pageRect(QPrinter.Unit.Point).size()))
    doc.setDocumentMargin(28)
    doc.print(printer) if hasattr(doc, "print") else doc.print_(printer)
    return path
