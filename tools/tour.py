"""Screenshots for docs/tour.md: every page as a new user sees it (Playwright with
Debian's Chromium against `clusteratlas serve` on a fresh demo).

    python tools/tour.py            # writes docs/tour/*.jpg
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "tour"

PUBLIC = [
    ("01-map", "/?category=aerospace"),
    ("02-map-coverage", "/?category=fastening_technology&indicator=coverage"),
    ("03-district", "/regions/08126"),
    ("04-district-options", "/regions/08126#options"),
    ("05-category", "/categories/medical_technology"),
    ("06-compare", "/compare?regions=08111,08212,08126,08435,08221"),
    ("07-search", "/search?q=kunststoff"),
    ("08-initiatives", "/initiatives"),
    ("09-initiative", "/initiatives/metalldialog"),
    ("10-english", "/regions/08435?lang=en"),
]
SIGNED_IN = [
    ("11-edit-form", "/initiatives/metalldialog/edit"),
    ("12-kpi-form", "/initiatives/metalldialog/kpis/2024"),
    ("13-review-queue", "/review"),
]


def main() -> None:
    data = tempfile.mkdtemp(prefix="clusteratlas-tour-")
    env = {**os.environ, "CLUSTERATLAS_DATA_DIR": data, "CLUSTERATLAS_PASSWORD":
           "tour password 123"}
    run = [sys.executable, "-m", "clusteratlas"]
    subprocess.run([*run, "demo"], env=env, check=True, capture_output=True)
    subprocess.run([*run, "user", "add", "agency", "--role", "admin"], env=env, check=True,
                   capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([*run, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/static/atlas.css", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        chromium = os.environ.get("CLUSTERATLAS_CHROMIUM") or shutil.which("chromium")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium,
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            for name, path in PUBLIC:
                page.goto(base + path)
                page.screenshot(path=str(OUT / f"{name}.jpg"), type="jpeg", quality=70)
            page.goto(base + "/login")
            page.fill("input[name=name]", "agency")
            page.fill("input[name=password]", "tour password 123")
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
            for name, path in SIGNED_IN:
                page.goto(base + path)
                page.screenshot(path=str(OUT / f"{name}.jpg"), type="jpeg", quality=70)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"wrote {len(PUBLIC) + len(SIGNED_IN)} screenshots to {OUT}")


if __name__ == "__main__":
    main()
