"""hotspotpatrol:transparencyreport: what the public sees, checked in a real browser and a PDF reader.

Three zones (BNG squares), visits in two months. Zone Z1 has 12 + 9 visits, Z2 has 3 + 8 (3 is
small), Z3 has 6 + 7. Visits carry a unit id and exact entry times that must never appear. The
evaluation layer gives crimes before/after: Z1 30/18, Z2 2/6 (2 is small), Z3 11/9.
"""

from __future__ import annotations

import html.parser
import os
import re
import shutil
import subprocess

import pytest
from qgis.core import QgsFeature, QgsGeometry, QgsRectangle, QgsVectorLayer

X0, Y0 = 430000.0, 433000.0
UNITS = ("PC4711", "PC0815")
VISITS = {
    ("Z1", "2026-05"): 12,
    ("Z1", "2026-06"): 9,
    ("Z2", "2026-05"): 3,
    ("Z2", "2026-06"): 8,
    ("Z3", "2026-05"): 6,
    ("Z3", "2026-06"): 7,
}


def _zones():
    layer = QgsVectorLayer("Polygon?crs=EPSG:27700&field=zone_id:string", "zones", "memory")
    feats = []
    for i, zid in enumerate(("Z1", "Z2", "Z3")):
        f = QgsFeature(layer.fields())
        f.setAttributes([zid])
        f.setGeometry(QgsGeometry.fromRect(QgsRectangle(X0 + 300 * i, Y0, X0 + 300 * i + 120, Y0 + 90)))
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def _visits():
    uri = (
        "None?field=visit_id:integer&field=zone_id:string&field=unit_id:string&field=entry_time:string"
        "&field=dwell_min:double&field=band:string&field=pass_through:boolean"
    )
    layer = QgsVectorLayer(uri, "visits", "memory")
    feats, k = [], 0
    for (zid, month), n in VISITS.items():
        for j in range(n):
            f = QgsFeature(layer.fields())
            band = "target" if j % 2 == 0 else "short"
            f.setAttributes(
                [
                    k,
                    zid,
                    UNITS[j % 2],
                    f"{month}-{10 + j % 15:02d}T21:{17 + j:02d}:43Z",
                    12.5 if band == "target" else 6.0,
                    band,
                    False,
                ]
            )
            feats.append(f)
            k += 1
    f = QgsFeature(layer.fields())  # a pass-through: never counted
    f.setAttributes([k, "Z1", UNITS[0], "2026-05-02T10:00:00Z", 0.5, "short", True])
    feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def _evaluation():
    layer = QgsVectorLayer(
        "None?field=zone_id:string&field=treated_before:double&field=treated_after:double&field=sentence:string",
        "ev",
        "memory",
    )
    feats = []
    for zid, b, a in (("Z1", 30, 18), ("Z2", 2, 6), ("Z3", 11, 9)):
        f = QgsFeature(layer.fields())
        f.setAttributes([zid, b, a, f"Zone {zid} sentence with its numbers."])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


class _Tables(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self.in_cell, self.imgs = [], False, []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.in_cell = True
            self.tables[-1][-1].append("")
        elif tag == "img":
            self.imgs.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.in_cell = False

    def handle_data(self, data):
        if self.in_cell:
            self.tables[-1][-1][-1] += data.strip()


@pytest.fixture()
def report(run_alg, tmp_path):
    res = run_alg(
        "hotspotpatrol:transparencyreport",
        {
            "VISITS": _visits(),
            "ZONES": _zones(),
            "EVALUATION": _evaluation(),
            "HEADLINE": "Across 3 patrolled zones, about 5 fewer crimes than expected.",
            "OUTPUT_HTML": str(tmp_path / "report.html"),
            "OUTPUT_PDF": str(tmp_path / "report.pdf"),
        },
    )
    return res, (tmp_path / "report.html").read_text(encoding="utf-8")


def test_html_content_and_privacy(report):
    res, text = report
    for unit in UNITS:
        assert unit not in text
    assert not re.search(r"\d{2}:\d{2}(:\d{2})?", text.split("<body>")[1].split("base64")[0])  # no clock times
    assert not re.search(r"https?://", text)  # nothing to fetch
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    assert "<script" not in text
    p = _Tables()
    p.feed(text)
    visits, hours, share, crime = p.tables
    # header row + 3 zones + total
    assert [r[0] for r in visits] == ["Zone", "Z1", "Z2", "Z3", "All zones"]
    assert visits[1][1:] == ["12", "9", "21"]  # Z1, nothing small
    assert visits[2][1] == "<5"  # Z2 in May: 3 visits
    assert crime[2][1] == "<5"  # Z2 before: 2 crimes
    assert "Zone Z2 sentence" not in text and "too few crimes" in text
    assert "Zone Z1 sentence" in text
    for table in (visits, crime):
        body = [row[1:] for row in table[1:]]
        for line in body + [list(col) for col in zip(*body)]:
            hidden = sum(v in ("<5", "*") for v in line)
            assert hidden != 1, f"a total reveals a hidden number in {line}"
    assert res["SUPPRESSED_CELLS"] >= 4
    # accessible: headers scoped, every image described
    assert 'scope="col"' in text and 'scope="row"' in text and "<caption>" in text
    assert p.imgs and all(len(img.get("alt", "")) > 20 for img in p.imgs)
    assert all(img["src"].startswith("data:image/png;base64,") for img in p.imgs)


def test_pdf_text(report):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    res, _ = report
    out = subprocess.run(["pdftotext", "-layout", res["OUTPUT_PDF"], "-"], capture_output=True, text=True, check=True)
    assert "Hot spot patrols" in out.stdout and "<5" in out.stdout and "How these numbers were made" in out.stdout
    assert "PC4711" not in out.stdout


def _chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _browse(browser, page, tmp_path, name):
    """Screenshot ``page`` in headless Chromium; (screenshot path, hosts of every request in the net log).
    The resolver maps every host to nothing, so not even the browser's own update checks leave the machine."""
    shot, netlog = tmp_path / f"{name}.png", tmp_path / f"{name}.json"
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={tmp_path / (name + '-profile')}",
        "--hide-scrollbars",
        "--window-size=1100,1500",
        f"--log-net-log={netlog}",
        f"--screenshot={shot}",
        page,
    ]
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    text = netlog.read_text() if netlog.exists() else ""
    urls = set(re.findall(r'"url":"([^"]+)"', text))
    hosts = {re.sub(r"^[a-z]+://([^/:?]+).*$", r"\1", u) for u in urls if re.match(r"^(https?|wss?|ftp)://", u)}
    return shot, hosts


def test_chromium_renders_offline(report, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    res, _ = report
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><title>x</title>")
    _, baseline = _browse(browser, "file://" + str(blank), tmp_path, "blank")
    shot, hosts = _browse(browser, "file://" + os.path.abspath(res["OUTPUT_HTML"]), tmp_path, "report")
    assert shot.exists() and shot.stat().st_size > 20000
    from qgis.PyQt.QtGui import QImage

    img = QImage(str(shot))
    colours = {img.pixel(x, y) for x in range(0, img.width(), 23) for y in range(0, img.height(), 23)}
    assert len(colours) > 20  # text, tables and the map drew, not a blank page
    # the browser's own housekeeping (update checks) shows on an empty page too; the report adds nothing
    assert hosts - baseline == set(), f"the report asked for {sorted(hosts - baseline)}"
    # and the check can see a request when a page makes one (the name never resolves: nothing leaves)
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<!DOCTYPE html><title>x</title><img src="https://tiles.example.invalid/0/0/0.png" alt="">')
    _, leaky_hosts = _browse(browser, "file://" + str(leaky), tmp_path, "leaky")
    assert "tiles.example.invalid" in leaky_hosts - baseline


def test_generalised_map(run_alg, tmp_path):
    res = run_alg(
        "hotspotpatrol:transparencyreport",
        {
            "VISITS": _visits(),
            "ZONES": _zones(),
            "GENERALISE": True,
            "GRID_SIZE": 500,
            "OUTPUT_HTML": str(tmp_path / "g.html"),
            "OUTPUT_PDF": None,
        },
    )
    text = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert "grid square" in text and "No crime evaluation was supplied" in text
    assert res.get("OUTPUT_PDF") in (None, "")
