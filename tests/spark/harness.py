"""Runs Spark test cases in ONE local[2] session, with the Spark venv's Python (not the test's).

    .spark-venv/bin/python tests/spark/harness.py cases.json results.json

Each case is {"name", "argv", "parquet": {csv: [parquet, {column: arrow type}]} (optional)}: CSV
files are first turned into Parquet with the given column types, then the job's command line
(``job.main(argv, spark)``) runs in the shared session. Per case the result holds the exit code,
what the job printed, and the outputs read back with pyarrow (not Spark): visits, waypoint
visits and coverage as records (times as UTC milliseconds, paths as WKT) and summary.json.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def to_parquet(csv_path: str, parquet_path: str, types: dict) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    convert = pacsv.ConvertOptions(
        column_types={k: getattr(pa, v)() for k, v in types.items()}, strings_can_be_null=True
    )
    pq.write_table(pacsv.read_csv(csv_path, convert_options=convert), parquet_path)


def read_output(folder: str) -> list | None:
    import pyarrow.parquet as pq
    import shapely

    if not os.path.isdir(folder):
        return None
    table = pq.read_table(folder)
    rows = []
    for r in table.to_pylist():
        out = {}
        for k, v in r.items():
            if hasattr(v, "timestamp"):
                v = int(round(v.timestamp() * 1000))
            elif isinstance(v, bytes):
                v = shapely.from_wkb(v).wkt if k == "geometry" else None
            out[k] = v
        rows.append(out)
    return rows


def main() -> int:
    cases = json.loads(Path(sys.argv[1]).read_text())
    from hotspot_patrol_plugin.spark import job

    spark = job.session("local[2]", "OFF", app="hotspot-patrol-tests")
    spark.conf.set("spark.sql.shuffle.partitions", "4")  # small data: fewer, quicker tasks
    results = {}
    for case in cases:
        for csv_path, (parquet_path, types) in (case.get("parquet") or {}).items():
            to_parquet(csv_path, parquet_path, types)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = job.main(case["argv"], spark=spark)
        out = case["argv"][case["argv"].index("--out") + 1]
        summary = os.path.join(out, "summary.json")
        results[case["name"]] = {
            "code": code,
            "stderr": err.getvalue(),
            "visits": read_output(os.path.join(out, "visits")),
            "waypoint_visits": read_output(os.path.join(out, "waypoint_visits")),
            "coverage": read_output(os.path.join(out, "coverage")),
            "coverage_daily": read_output(os.path.join(out, "coverage_daily")),
            "summary": json.loads(Path(summary).read_text()) if code == 0 and os.path.exists(summary) else None,
        }
    spark.stop()
    Path(sys.argv[2]).write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
