"""Fetchers against recorded responses (made from the real files); no network."""

import io
import zipfile

import httpx
import pytest

from clusteratlas.errors import ConfigError, SourceError
from clusteratlas.service.imports import import_files
from clusteratlas.sources.fetch import download, plan_fetch


def zipped(name, data):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, data)
    return buf.getvalue()


class Recorder:
    def __init__(self, responses):
        self.responses = list(responses)
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        status, body = self.responses.pop(0)
        return httpx.Response(status, content=body, headers={"content-length": str(len(body))})


def client(recorder):
    return httpx.Client(transport=httpx.MockTransport(recorder))


def test_genesis_fetch_unzips_caches_and_keeps_secrets(shared, tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTERATLAS_GENESIS_USER", "alice")
    monkeypatch.setenv("CLUSTERATLAS_GENESIS_PASSWORD", "s3cret-pw")
    raw = next((shared / "data/de_genesis/ffcsv_api").glob("13111-0005_*_de_flat.csv")).read_bytes()
    rec = Recorder([(503, b"busy"), (200, zipped("13111-0005_1_de_flat.csv", raw))])
    plan = plan_fetch("genesis:13111-0005")
    seen = []
    files = download(plan, tmp_path / "cache", client=client(rec),
                     progress=lambda n, total: seen.append((n, total)))
    assert len(rec.requests) == 2  # one retry after the 503
    form = rec.requests[-1].content.decode()
    assert "name=13111-0005" in form
    assert "format=ffcsv" in form
    assert files[0].read_bytes() == raw
    assert seen[-1][0] == seen[-1][1]
    assert "s3cret" not in plan.cache_key()
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert b"s3cret" not in path.read_bytes()
    again = download(plan, tmp_path / "cache", client=client(Recorder([])))
    assert again == files  # from the cache, no request


def test_genesis_needs_credentials(monkeypatch):
    monkeypatch.delenv("CLUSTERATLAS_GENESIS_USER", raising=False)
    with pytest.raises(ConfigError, match="CLUSTERATLAS_GENESIS_USER"):
        plan_fetch("genesis:13111-01-03-4")


def test_eurostat_fetch_then_import(shared, tmp_path):
    from clusteratlas.service.demo import build_demo
    from clusteratlas.store import DataDir

    tsv = (shared / "data/eurostat/nama_10r_3empers_excerpt_datacommons_sample.tsv").read_bytes()
    rec = Recorder([(200, tsv)])
    plan = plan_fetch("eurostat:nama_10r_3empers", {"geo": "DE123"})
    files = download(plan, tmp_path / "cache", client=client(rec))
    assert rec.requests[0].url.params["format"] == "TSV"
    assert rec.requests[0].url.params["geo"] == "DE123"
    store = DataDir(tmp_path / "store")
    build_demo(store)
    report = import_files(store, plan.source, files)
    assert report.rows > 0


def test_cbp_zip_and_errors(tmp_path):
    text = b'fipstate,fipscty,naics,emp_nf,emp,est\n"01","001","------","G",10,2\n'
    rec = Recorder([(200, zipped("cbp18co.txt", text))])
    files = download(plan_fetch("cbp:2018"), tmp_path / "c", client=client(rec))
    assert files[0].name == "cbp18co.txt"
    with pytest.raises(SourceError, match="answered 404"):
        download(plan_fetch("cbp:2017"), tmp_path / "c", client=client(Recorder([(404, b"")])))
    failing = Recorder([(500, b"")] * 3)
    with pytest.raises(SourceError, match="failed after 3 tries"):
        download(plan_fetch("cbp:2016"), tmp_path / "c", client=client(failing))
    with pytest.raises(ConfigError, match="KIND:NAME"):
        plan_fetch("worldbank:x")


def test_gisco_boundaries_fetch_and_import(shared, tmp_path):
    from clusteratlas.service.demo import build_demo
    from clusteratlas.service.setup import import_boundaries
    from clusteratlas.store import DataDir

    body = (shared / "data/de_boundaries/geoGermany/Ebene_Kreise.geojson").read_bytes()
    rec = Recorder([(200, body)])
    plan = plan_fetch("gisco-nuts:2021", {"level": "3"})
    assert "NUTS_RG_01M_2021_4326_LEVL_3.geojson" in plan.url
    files = download(plan, tmp_path / "cache", client=client(rec))
    store = DataDir(tmp_path / "store")
    build_demo(store)
    report = import_boundaries(store, files[0], attribution="© EuroGeographics (test)",
                               licence="test")
    assert report["matched"] == 44
