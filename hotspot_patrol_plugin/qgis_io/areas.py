"""Zones and waypoints read from a QGIS layer: ids, features and shapely geometries in the working CRS."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from qgis.core import QgsProcessingException


@dataclass
class Areas:
    """Zones or waypoints read from a layer: ids, source features, geometries in the working CRS."""

    ids: list
    fids: list
    features: list
    geoms: np.ndarray  # shapely, working CRS
    skipped: dict = field(default_factory=dict)
    no_geometry: list = field(default_factory=list)  # ids of the features left out: no (readable) geometry
    notes: list = field(default_factory=list)  # sentences for the log (ids that were NULL, ...)


def area_id_field(source, requested: str, default_name: str) -> str | None:
    names = source.fields().names()
    if requested:
        if requested not in names:
            raise QgsProcessingException(f"The field '{requested}' does not exist in the layer.")
        return requested
    return default_name if default_name in names else None


def read_areas(source, what: str, id_field: str | None, to_work, feedback, polygons: bool) -> Areas:
    """Read zones (polygons) or waypoints (points); invalid polygons stop with one sentence."""
    import shapely

    ids, fids, feats, wkbs = [], [], [], []
    skipped = {}
    no_geometry, null_ids, seen = [], [], {}
    for feat in source.getFeatures():
        geom = feat.geometry()
        ident = feat[id_field] if id_field else None
        if ident is None or (hasattr(ident, "isNull") and ident.isNull()) or str(ident).strip() == "":
            if id_field:
                null_ids.append(feat.id())
            ident = str(feat.id())
        if geom is None or geom.isNull() or geom.isEmpty():
            key = f"{what} without geometry"
            skipped[key] = skipped.get(key, 0) + 1
            no_geometry.append(str(ident))
            continue
        if polygons and id_field and str(ident) in seen:
            raise QgsProcessingException(
                f"The zone id '{ident}' ({id_field}) is on features {seen[str(ident)]} and {feat.id()}: "
                "zone ids must be unique, or their coverage rows cannot be told apart."
            )
        seen[str(ident)] = feat.id()
        if polygons and not geom.isGeosValid():
            err = geom.validateGeometry()
            why = err[0].what() if err else "invalid geometry"
            raise QgsProcessingException(
                f"Zone feature {feat.id()} ({id_field or 'id'} '{ident}') has an invalid polygon "
                f"({why}); run 'Fix geometries' on the zones layer and use its output."
            )
        ids.append(str(ident))
        fids.append(feat.id())
        feats.append(feat)
        wkbs.append(bytes(geom.asWkb()))
    geoms = shapely.from_wkb(np.asarray(wkbs, dtype=object)) if wkbs else np.zeros(0, dtype=object)
    if to_work is not None and len(geoms):
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(to_work(xy[:, 0], xy[:, 1])))
    if not polygons and len(geoms):
        multi = shapely.get_type_id(geoms) == 4
        geoms[multi] = shapely.get_geometry(geoms[multi], 0)
    notes = []
    if no_geometry:
        notes.append(
            f"{len(no_geometry):,} {what}(s) without a geometry left out: "
            f"{', '.join(no_geometry[:20])}{' …' if len(no_geometry) > 20 else ''}."
        )
    if null_ids:
        notes.append(
            f"{len(null_ids):,} {what}(s) with no {id_field}: named by their feature id "
            f"{', '.join(map(str, null_ids[:20]))}{' …' if len(null_ids) > 20 else ''}."
        )
    for note in notes:
        feedback.pushWarning(note)
    return Areas(ids, fids, feats, geoms, skipped, no_geometry, notes)
