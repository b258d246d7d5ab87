"""Downloading official data: GENESIS (REST), Eurostat (dissemination API), US Census CBP
and boundary files, with a cache in the data directory, retries and a progress bar.

Credentials come from the environment (``CLUSTERATLAS_GENESIS_USER`` /
``CLUSTERATLAS_GENESIS_PASSWORD``) and are never logged or written to the cache key.
Tests replay recorded responses through an ``httpx`` transport; nothing here is
exercised against the network in CI.
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from clusteratlas._config import load_settings
from clusteratlas.errors import ConfigError, SourceError

__all__ = ["DATASETS", "FetchPlan", "download", "plan_fetch"]

GENESIS_URL = "https://www.regionalstatistik.de/genesisws/rest/2020/data/tablefile"
EUROSTAT_URL = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/{code}"
CBP_URL = "https://www2.census.gov/programs-surveys/cbp/datasets/{year}/cbp{yy}co.zip"
GISCO_URL = ("https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
             "NUTS_RG_{scale}_{year}_4326_LEVL_{level}.geojson")
BKG_URL = "https://daten.gdz.bkg.bund.de/produkte/vg/{product}/aktuell/{file}"


@dataclass(frozen=True)
class FetchPlan:
    """What to request and how to turn the response into importable files."""

    source: str  # the import source the files are for
    method: str
    url: str
    params: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    secret_fields: tuple[str, ...] = ()
    unzip_suffix: str | None = None
    file_name: str = "download"

    def cache_key(self) -> str:
        public = {k: v for k, v in self.form.items() if k not in self.secret_fields}
        text = f"{self.method} {self.url} {sorted(self.params.items())} {sorted(public.items())}"
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def _genesis(name: str, options: dict[str, str]) -> FetchPlan:
    settings = load_settings()
    user, password = settings.genesis_user, settings.genesis_password
    if not user or not password:
        raise ConfigError("GENESIS needs credentials: set CLUSTERATLAS_GENESIS_USER and "
                          "CLUSTERATLAS_GENESIS_PASSWORD (a token as user and an empty "
                          "password is not accepted by the 2020 API)")
    form = {"name": name, "area": "all", "compress": "false", "format": "ffcsv",
            "language": options.get("language", "de"), "quality": "on", "job": "false",
            "username": user, "password": password}
    for key in ("startyear", "endyear", "regionalvariable", "regionalkey"):
        if key in options:
            form[key] = options[key]
    return FetchPlan("genesis-ffcsv", "POST", options.get("url", GENESIS_URL), form=form,
                     secret_fields=("username", "password"), unzip_suffix=".csv",
                     file_name=f"{name}_flat.csv")


def _eurostat(code: str, options: dict[str, str]) -> FetchPlan:
    params = {"format": "TSV", "compressed": "false"}
    params.update({k: v for k, v in options.items() if k != "url"})
    return FetchPlan("eurostat-tsv", "GET", options.get("url", EUROSTAT_URL.format(code=code)),
                     params=params, file_name=f"{code}.tsv")


def _cbp(year: str, options: dict[str, str]) -> FetchPlan:
    if not (year.isdigit() and len(year) == 4):
        raise ConfigError(f"cbp:{year}: expected a four-digit year, e.g. cbp:2018")
    url = options.get("url", CBP_URL.format(year=year, yy=year[-2:]))
    return FetchPlan("cbp", "GET", url, unzip_suffix=".txt", file_name=f"cbp{year[-2:]}co.txt")


def _gisco(year: str, options: dict[str, str]) -> FetchPlan:
    url = options.get("url", GISCO_URL.format(scale=options.get("scale", "01M"), year=year,
                                              level=options.get("level", "3")))
    return FetchPlan("boundaries", "GET", url, file_name=f"nuts_{year}.geojson")


def _bkg(product: str) -> Callable[[str, dict[str, str]], FetchPlan]:
    def plan(date: str, options: dict[str, str]) -> FetchPlan:
        file = f"{product}_{date}.utm32s.shape.ebenen.zip"
        url = options.get("url", BKG_URL.format(product=f"{product}_{date.replace('-', '')}",
                                                file=file))
        return FetchPlan("boundaries", "GET", url, unzip_suffix="_KRS.shp",
                         file_name=f"{product}_{date}_KRS.shp")
    return plan


DATASETS: dict[str, Callable[[str, dict[str, str]], FetchPlan]] = {
    "genesis": _genesis,
    "eurostat": _eurostat,
    "cbp": _cbp,
    "gisco-nuts": _gisco,
    "vg5000": _bkg("vg5000"),
    "vg250": _bkg("vg250"),
}


def plan_fetch(spec: str, options: dict[str, str] | None = None) -> FetchPlan:
    """``genesis:13111-01-03-4``, ``eurostat:nama_10r_3empers``, ``cbp:2018``,
    ``gisco-nuts:2021``, ``vg5000:01-01``."""
    kind, _, arg = spec.partition(":")
    maker = DATASETS.get(kind)
    if maker is None or not arg:
        raise ConfigError(f"dataset {spec!r}: expected KIND:NAME with KIND one of "
                          f"{', '.join(DATASETS)}")
    return maker(arg, dict(options or {}))


def download(
    plan: FetchPlan,
    cache_dir: Path,
    *,
    client: httpx.Client | None = None,
    retries: int = 3,
    progress: Callable[[int, int | None], None] | None = None,
    refresh: bool = False,
) -> list[Path]:
    """Download (or take from the cache) and unpack; returns the files to import."""
    target = cache_dir / plan.cache_key()
    done = target / ".complete"
    if done.exists() and not refresh:
        return sorted(p for p in target.iterdir() if p.name != ".complete")
    target.mkdir(parents=True, exist_ok=True)
    body = _request(plan, client, retries, progress)
    files: list[Path] = []
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            wanted = [n for n in names if plan.unzip_suffix and n.endswith(plan.unzip_suffix)]
            if plan.unzip_suffix and not wanted:
                raise SourceError(f"{plan.url}: the archive holds no *{plan.unzip_suffix} file "
                                  f"({', '.join(names[:5])})")
            stem_of = {Path(n).name.rsplit(".", 1)[0] for n in wanted}
            for name in names:
                if not wanted or Path(name).name.rsplit(".", 1)[0] in stem_of:
                    out = target / Path(name).name
                    out.write_bytes(zf.read(name))
                    if name in wanted or not wanted:
                        files.append(out)
    else:
        out = target / plan.file_name
        out.write_bytes(body)
        files.append(out)
    done.write_text("ok")
    return files


def _request(plan: FetchPlan, client: httpx.Client | None, retries: int,
             progress: Callable[[int, int | None], None] | None) -> bytes:
    own = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(60.0, connect=20.0),
                                  follow_redirects=True)
    try:
        last: Exception | None = None
        for attempt in range(1, retries + 1):
            try:
                kwargs: dict[str, Any] = {"params": plan.params or None}
                if plan.form:
                    kwargs["data"] = plan.form
                with http.stream(plan.method, plan.url, **kwargs) as response:
                    if response.status_code >= 500:
                        raise httpx.HTTPStatusError("server error", request=response.request,
                                                    response=response)
                    if response.status_code >= 400:
                        raise SourceError(f"{plan.url}: the server answered "
                                          f"{response.status_code} {response.reason_phrase}")
                    total = int(response.headers.get("content-length") or 0) or None
                    chunks, seen = [], 0
                    for chunk in response.iter_bytes():
                        chunks.append(chunk)
                        seen += len(chunk)
                        if progress is not None:
                            progress(seen, total)
                    return b"".join(chunks)
            except (httpx.TransportError, httpx.HTTPStatusError) as exc:
                last = exc
                if attempt < retries:
                    time.sleep(min(0.2 * 2 ** (attempt - 1), 5.0))
        raise SourceError(f"{plan.url}: download failed after {retries} tries "
                          f"({type(last).__name__})")
    finally:
        if own:
            http.close()
