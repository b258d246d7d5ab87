"""Screenshots for docs/tour.md: every page as a new user sees it (Playwright with
Debian's Chromium against `clusteratlas serve`), in three data directories:

* ``demo``: a fresh synthetic demo (Baden-Württemberg), desktop (1280 px) in German and
  English, phone (390 px), and the signed-in forms;
* ``real``: the real regional employment exports 2015-2018 (Regionalstatistik table
  13111-07-05-4) with the VG5000 district boundaries: Germany, Bavaria, a district;
* ``us``: the us-atlas county boundaries with the CBP fixture for Colorado.

    python tools/tour.py                 # all three, writes docs/tour/*.jpg
    python tools/tour.py real us         # only these sets

The real and US data directories are kept under /tmp/tour-<set> and reused on the next
run (the import of the real exports takes half a minute); the demo is made afresh, since
its signed-in part submits a yearly report. The briefing page images are rendered
separately (``clusteratlas brief ... --out x.pdf`` and ``pdftoppm -png -r 70``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "tour"
SHARED = ROOT.parent / "shared" / "data"
RUN = [sys.executable, "-m", "clusteratlas"]
PASSWORD = "tour password 123"

DESKTOP = {"width": 1280, "height": 860}
#: the map pages: the whole map in the picture (Germany is taller than wide)
TALL = {"width": 1280, "height": 1240}
MAPS = ("map", "coverage", "germany", "bavaria", "colorado")
PHONE = {"width": 390, "height": 844}

#: (file name, path) per viewport; the English shots add ``lang=en``
DEMO_BOTH = [
    ("map", "/?category=aerospace"),
    ("coverage", "/?category=fastening_technology&indicator=coverage"),
    ("district", "/regions/08126"),
    ("initiative", "/initiatives/metalldialog"),
    ("glossary", "/glossary"),
]
DEMO_DE_ONLY = [
    ("de-search", "/search?q=kunststoff"),
    ("de-district-options", "/regions/08126#options"),
    ("de-category", "/categories/medical_technology"),
    ("de-compare", "/compare?regions=08111,08212,08126,08435,08221"),
    ("de-initiatives", "/initiatives"),
]
DEMO_EN_ONLY = [("en-search", "/search?q=plastics&lang=en")]
DEMO_PHONE = [
    ("phone-de-map", "/?category=aerospace"),
    ("phone-de-district", "/regions/08126"),
    ("phone-de-initiative", "/initiatives/metalldialog"),
    ("phone-en-district", "/regions/08126?lang=en"),
]
SIGNED_IN = [
    ("de-edit-form", "/initiatives/metalldialog/edit"),
    ("de-kpi-form", "/initiatives/metalldialog/kpis/2024"),
    ("de-review-queue", "/review"),
]
REAL = [
    ("real-germany", "/?scope=DG&category=C"),
    ("real-bavaria", "/?scope=09&category=C"),
    ("real-district", "/regions/08327"),
    ("phone-real-district", "/regions/09162"),
]
US = [
    ("us-colorado", "/?scope=US-08&lang=en"),
    ("us-county", "/regions/US-08031?lang=en"),
]


def _lang(path: str, lang: str) -> str:
    if lang == "de":
        return path
    base, _, anchor = path.partition("#")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}lang={lang}" + (f"#{anchor}" if anchor else "")


def _cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([*RUN, *args], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"clusteratlas {' '.join(args)}: {done.stderr.strip()}")


def _prepare(name: str) -> dict[str, str]:
    """The data directory of a set (made once and kept, except the demo's)."""
    data = Path(tempfile.mkdtemp(prefix="tour-demo-") if name == "demo" else f"/tmp/tour-{name}")
    env = {**os.environ, "CLUSTERATLAS_DATA_DIR": str(data),
           "CLUSTERATLAS_PASSWORD": PASSWORD}
    ready = data / ".tour-ready"
    if ready.exists():
        return env
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    if name == "demo":
        _cli(env, "demo")
        _cli(env, "user", "add", "agency", "--role", "admin")
    elif name == "real":
        tables = SHARED / "de_genesis" / "tabellen_csv_regionalstatistik"
        _cli(env, "import", "genesis-table",
             *(str(tables / f"13111-07-05-4_{y}.csv") for y in range(2015, 2019)))
        _cli(env, "import", "boundaries",
             str(SHARED / "de_boundaries" / "vg5000_2021_krs" / "VG5000_KRS.shp"))
    else:
        _cli(env, "import", "boundaries", str(SHARED / "us" / "us-atlas" / "counties-10m.json"))
        _cli(env, "import", "cbp", str(ROOT / "tests" / "fixtures" / "cbp" / "cbp18co.txt"))
    ready.touch()
    return env


@contextmanager
def _serve(env: dict[str, str]) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([*RUN, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(base + "/static/atlas.css", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _shoot(page: Page, base: str, name: str, path: str) -> None:
    response = page.goto(base + path, timeout=120_000)
    if response is None or response.status != 200:
        raise SystemExit(f"{path}: HTTP {response.status if response else '?'}")
    tall = not name.startswith("phone-") and name.endswith(MAPS)
    page.set_viewport_size(TALL if tall else page.viewport_size or DESKTOP)
    page.screenshot(path=str(OUT / f"{name}.jpg"), type="jpeg", quality=70)
    if tall:
        page.set_viewport_size(DESKTOP)
    print(name, path, flush=True)


def _sign_in_and_report(page: Page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=name]", "agency")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    page.goto(base + "/initiatives/metalldialog/kpis/2024")
    for field, value in (("members_sme", "38"), ("members_large", "7"),
                         ("members_research", "4"), ("events", "9"),
                         ("participants", "420"), ("staff_headcount", "2"),
                         ("staff_fte", "1.5")):
        page.fill(f"input[name={field}]", value)
    with page.expect_navigation():
        page.click("button[value=submit]")


def _demo(browser, base: str) -> None:
    desk = browser.new_page(viewport=DESKTOP)
    for lang in ("de", "en"):
        for name, path in DEMO_BOTH:
            _shoot(desk, base, f"{lang}-{name}", _lang(path, lang))
    for name, path in DEMO_DE_ONLY + DEMO_EN_ONLY:
        _shoot(desk, base, name, path)
    phone = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    for name, path in DEMO_PHONE:
        _shoot(phone, base, name, path)
    _sign_in_and_report(desk, base)
    for name, path in SIGNED_IN:
        _shoot(desk, base, name, path)


def _plain(shots: list[tuple[str, str]]):
    def shoot(browser, base: str) -> None:
        desk = browser.new_page(viewport=DESKTOP)
        phone = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
        for name, path in shots:
            _shoot(phone if name.startswith("phone-") else desk, base, name, path)
    return shoot


SETS = {"demo": _demo, "real": _plain(REAL), "us": _plain(US)}


def main(argv: list[str]) -> None:
    chosen = argv or list(SETS)
    unknown = [s for s in chosen if s not in SETS]
    if unknown:
        raise SystemExit(f"unknown set {unknown[0]!r}; choose from {', '.join(SETS)}")
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CLUSTERATLAS_CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium,
                                    args=["--no-sandbox", "--disable-gpu"])
        for name in chosen:
            env = _prepare(name)
            with _serve(env) as base:
                SETS[name](browser, base)
            if name == "demo":
                shutil.rmtree(env["CLUSTERATLAS_DATA_DIR"], ignore_errors=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
