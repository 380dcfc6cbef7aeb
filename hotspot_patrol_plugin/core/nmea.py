"""NMEA 0183 logs ($GPRMC / $GPGGA and the GN/GL/GA talkers) to a table of fixes, vectorised.

RMC sentences carry date, time, position, speed and course; GGA sentences carry time, position
and HDOP but no date, so a GGA fix takes the date of the RMC sentences around it (the same
time-of-day) and lends its HDOP to the matching RMC fix. Sentences with a bad checksum or no fix
are counted, not used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KNOT_KMH = 1.852

BAD_CHECKSUM = "NMEA sentence with a bad checksum"
NO_FIX = "NMEA sentence without a GPS fix"
NO_DATE = "NMEA GGA fix without a date (no RMC sentence)"
MALFORMED = "malformed NMEA sentence"


def _checksum_ok(lines: pd.Series) -> np.ndarray:
    body = lines.str.extract(r"^\$([^*]*)\*([0-9A-Fa-f]{2})\s*$")
    has = body[0].notna().to_numpy()
    ok = np.ones(len(lines), dtype=bool)
    if has.any():
        raw = body[0][has].to_numpy()
        want = body[1][has].map(lambda h: int(h, 16)).to_numpy()
        got = np.fromiter(
            (np.bitwise_xor.reduce(np.frombuffer(s.encode("ascii", "replace"), np.uint8)) if s else 0 for s in raw),
            dtype=np.int64,
            count=len(raw),
        )
        ok[has] = got == want
    return ok


def _degrees(value: pd.Series, hemi: pd.Series) -> np.ndarray:
    v = pd.to_numeric(value, errors="coerce").to_numpy()
    deg = np.floor(v / 100.0)
    out = deg + (v - deg * 100.0) / 60.0
    sign = np.where(hemi.isin(["S", "W"]).to_numpy(), -1.0, 1.0)
    return out * sign


def parse_nmea(lines) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """Returns (fixes, dropped counts, dropped examples). ``fixes`` columns: time (ISO, UTC),
    lat, lon, speed_kmh, heading, hdop, source_row (1-based line number)."""
    text = pd.Series(list(lines), dtype=object).astype(str).str.strip()
    row = pd.Series(np.arange(1, len(text) + 1))
    is_sentence = text.str.match(r"^\$(GP|GN|GL|GA|GB|BD)(RMC|GGA),")
    text, row = text[is_sentence].reset_index(drop=True), row[is_sentence].reset_index(drop=True)
    dropped: dict[str, int] = {}
    examples = []

    def drop(reason, mask):
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            dropped[reason] = dropped.get(reason, 0) + int(mask.sum())
            examples.append(
                pd.DataFrame(
                    {"reason": reason, "source_row": row[mask].to_numpy()[:5], "raw": text[mask].to_numpy()[:5]}
                )
            )

    good = _checksum_ok(text)
    drop(BAD_CHECKSUM, ~good)
    text, row = text[good].reset_index(drop=True), row[good].reset_index(drop=True)
    fields = text.str.replace(r"\*[0-9A-Fa-f]{2}$", "", regex=True).str.split(",", expand=True)
    if fields.empty:
        return _empty(), dropped, _examples(examples)
    kind = fields[0].str[-3:]
    rmc = (kind == "RMC").to_numpy()
    gga = (kind == "GGA").to_numpy()
    f = fields.reindex(columns=range(13))

    # RMC: time, status, lat, N/S, lon, E/W, speed (knots), course, date (ddmmyy)
    r = f[rmc]
    r_ok = (r[2] == "A").to_numpy()
    drop(NO_FIX, _scatter(len(text), np.flatnonzero(rmc)[~r_ok]))
    r = r[r_ok]
    r_rows = row[rmc].to_numpy()[r_ok]
    date = r[9].fillna("")
    clock = r[1].fillna("")
    century = pd.Series(
        np.where(pd.to_numeric(date.str[4:6], errors="coerce").fillna(0).to_numpy() >= 80, "19", "20"), index=date.index
    )  # two-digit years: 1980-2079
    r_time = (
        century
        + date.str[4:6]
        + "-"
        + date.str[2:4]
        + "-"
        + date.str[0:2]
        + "T"
        + clock.str[0:2]
        + ":"
        + clock.str[2:4]
        + ":"
        + clock.str[4:]
        + "Z"
    )
    rmc_df = pd.DataFrame(
        {
            "clock": clock.to_numpy(),
            "time": r_time.to_numpy(),
            "lat": _degrees(r[3], r[4]),
            "lon": _degrees(r[5], r[6]),
            "speed_kmh": pd.to_numeric(r[7], errors="coerce").to_numpy() * KNOT_KMH,
            "heading": pd.to_numeric(r[8], errors="coerce").to_numpy(),
            "source_row": r_rows,
        }
    )
    # GGA: time, lat, N/S, lon, E/W, quality, satellites, hdop
    g = f[gga]
    g_ok = pd.to_numeric(g[6], errors="coerce").fillna(0).to_numpy() > 0
    drop(NO_FIX, _scatter(len(text), np.flatnonzero(gga)[~g_ok]))
    g = g[g_ok]
    gga_df = pd.DataFrame(
        {
            "clock": g[1].fillna("").to_numpy(),
            "lat": _degrees(g[2], g[3]),
            "lon": _degrees(g[4], g[5]),
            "hdop": pd.to_numeric(g[8], errors="coerce").to_numpy(),
            "source_row": row[gga].to_numpy()[g_ok],
        }
    )
    # HDOP onto RMC fixes of the same second; GGA fixes with no RMC twin need a date from one
    hdop = gga_df.drop_duplicates("clock").set_index("clock")["hdop"]
    rmc_df["hdop"] = rmc_df["clock"].map(hdop).to_numpy()
    lonely = ~gga_df["clock"].isin(rmc_df["clock"]).to_numpy()
    if lonely.any():
        if len(rmc_df):
            dates = rmc_df["time"].str[:10].to_numpy()
            # the date of the nearest RMC sentence before it in the file (or the first one)
            pos = np.searchsorted(rmc_df["source_row"].to_numpy(), gga_df["source_row"].to_numpy()[lonely]) - 1
            day = dates[np.clip(pos, 0, len(dates) - 1)]
            c = gga_df["clock"][lonely]
            clock = c.str[0:2].to_numpy() + ":" + c.str[2:4].to_numpy() + ":" + c.str[4:].to_numpy()
            extra = pd.DataFrame(
                {
                    "time": day + "T" + clock + "Z",
                    "lat": gga_df["lat"].to_numpy()[lonely],
                    "lon": gga_df["lon"].to_numpy()[lonely],
                    "speed_kmh": np.nan,
                    "heading": np.nan,
                    "hdop": gga_df["hdop"].to_numpy()[lonely],
                    "source_row": gga_df["source_row"].to_numpy()[lonely],
                }
            )
            rmc_df = pd.concat([rmc_df, extra], ignore_index=True)
        else:
            dropped[NO_DATE] = dropped.get(NO_DATE, 0) + int(lonely.sum())
    out = rmc_df.drop(columns=["clock"], errors="ignore").sort_values("source_row", kind="stable")
    return out.reset_index(drop=True), dropped, _examples(examples)


def _scatter(n, idx):
    m = np.zeros(n, dtype=bool)
    m[idx] = True
    return m


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {"time": [], "lat": [], "lon": [], "speed_kmh": [], "heading": [], "hdop": [], "source_row": []}
    )


def _examples(parts) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["reason", "source_row", "raw"])
