"""Keyed pseudonyms for officer ids: HMAC-SHA256 of the id under a user-supplied key.

The same id and key always give the same short pseudonym (``U-3f9a2c``), so an officer can be
followed across months without being named; without the key nobody can reverse it or recompute
it from a list of collar numbers. The key is never stored by the plugin.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np

PREFIX = "U-"
DIGITS = 6  # 16.7 million values: collisions are checked and lengthened where they happen


def pseudonym(unit_id, key: str, digits: int = DIGITS) -> str:
    if not key:
        raise ValueError("a pseudonymisation key is needed")
    mac = hmac.new(key.encode("utf-8"), str(unit_id).strip().encode("utf-8"), hashlib.sha256)
    return PREFIX + mac.hexdigest()[:digits]


def pseudonymise(unit_ids, key: str) -> np.ndarray:
    """Pseudonyms for an array of ids (one HMAC per distinct id); collisions get longer digests."""
    values = np.asarray(unit_ids, dtype=object)
    uniq, inverse = np.unique(values.astype(str), return_inverse=True)
    names = {u: pseudonym(u, key) for u in uniq}
    seen: dict[str, list[str]] = {}
    for u, p in names.items():
        seen.setdefault(p, []).append(u)
    for clash in (ids for ids in seen.values() if len(ids) > 1):
        for u in clash:
            names[u] = pseudonym(u, key, digits=16)
    return np.asarray([names[u] for u in uniq], dtype=object)[inverse]
