"""One settings object: defaults < clusteratlas.toml < CLUSTERATLAS_* < flags."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from clusteratlas._config import load_settings
from clusteratlas.cli.main import main
from clusteratlas.errors import ConfigError
from clusteratlas.store.datadir import DataDir

SRC = Path(__file__).resolve().parents[1] / "src" / "clusteratlas"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in ("ENGINE", "SPARK_URL", "SPARK_DRIVER_MEMORY"):
        monkeypatch.delenv(f"CLUSTERATLAS_{name}", raising=False)
    monkeypatch.chdir(tmp_path)  # no clusteratlas.toml of the checkout


def test_engine_and_spark_come_from_the_environment(monkeypatch):
    assert load_settings().engine_choice() == ("duckdb", None)
    monkeypatch.setenv("CLUSTERATLAS_ENGINE", "spark")
    monkeypatch.setenv("CLUSTERATLAS_SPARK_URL", "spark://127.0.0.1:7077")
    monkeypatch.setenv("CLUSTERATLAS_SPARK_DRIVER_MEMORY", "2g")
    settings = load_settings()
    assert settings.spark_driver_memory == "2g"
    assert settings.engine_choice() == ("spark", "spark://127.0.0.1:7077")
    assert settings.engine_choice("duckdb") == ("duckdb", None)  # a flag wins
    assert settings.engine_choice(None, "sc://h:15002") == ("spark", "sc://h:15002")


def test_engine_from_the_settings_file(tmp_path):
    (tmp_path / "clusteratlas.toml").write_text('engine = "spark"\n', encoding="utf-8")
    assert load_settings().engine_choice() == ("spark", None)  # local[*] or an active session


def test_unknown_engine_is_a_config_error(monkeypatch):
    monkeypatch.setenv("CLUSTERATLAS_ENGINE", "excel")
    with pytest.raises(ConfigError, match="engine"):
        load_settings()


def test_password_is_not_shown(monkeypatch):
    monkeypatch.setenv("CLUSTERATLAS_GENESIS_PASSWORD", "s3cret-pw")
    assert "s3cret-pw" not in repr(load_settings())
    assert load_settings().genesis_password == "s3cret-pw"


def _map_engine(monkeypatch, tmp_path, *flags: str) -> tuple[str, str | None]:
    """The engine ``clusteratlas map`` hands to the pipeline (stopped right there)."""
    import clusteratlas.service.mapping as mapping

    seen: dict[str, object] = {}

    class Stop(Exception):
        pass

    def record(*args: object, **kwargs: object) -> None:
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr(mapping, "map_file", record)
    panel = tmp_path / "p.csv"
    panel.write_text("region,industry,year,employment\n08111,25,2020,100\n", encoding="utf-8")
    with pytest.raises(Stop):
        main(["map", str(panel), "--out", str(tmp_path / "o.csv"), *flags])
    return seen["engine"], seen["engine_url"]  # type: ignore[return-value]


def test_map_honours_clusteratlas_engine_without_flag(monkeypatch, tmp_path):
    monkeypatch.setenv("CLUSTERATLAS_ENGINE", "spark")
    assert _map_engine(monkeypatch, tmp_path) == ("spark", None)  # local[*] or an active session
    assert _map_engine(monkeypatch, tmp_path, "--engine", "duckdb") == ("duckdb", None)
    monkeypatch.delenv("CLUSTERATLAS_ENGINE")
    assert _map_engine(monkeypatch, tmp_path) == ("duckdb", None)


# The Spark session builder still reads its two variables itself; it is being moved
# to engines/spark.py, where it reads Settings.spark_url / spark_driver_memory.
NOT_YET_WIRED: set[str] = set()


def test_every_clusteratlas_variable_is_read_through_settings():
    readers = []
    for path in SRC.rglob("*.py"):
        if path.name == "_config.py" or str(path.relative_to(SRC)) in NOT_YET_WIRED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"os\.(environ|getenv)", line) and "CLUSTERATLAS_" in line:
                readers.append(f"{path.relative_to(SRC)}:{number}")
    assert readers == []


def test_serve_trusts_the_proxies_named_in_the_settings(monkeypatch, tmp_path):
    """Behind a TLS proxy on another host the server must believe its X-Forwarded-*."""
    import uvicorn

    from clusteratlas.service.demo import build_demo

    build_demo(DataDir(tmp_path))
    seen = {}

    class Server:
        def __init__(self, config):
            seen.update(proxy_headers=config.proxy_headers,
                        forwarded_allow_ips=config.forwarded_allow_ips)

        def run(self, sockets):
            seen["ran"] = True

    monkeypatch.setattr(uvicorn, "Server", Server)
    monkeypatch.setenv("CLUSTERATLAS_FORWARDED_ALLOW_IPS", "10.0.0.5")
    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert main(["serve", "--data-dir", str(tmp_path), "--port", str(port)]) == 0
    assert seen == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.5", "ran": True}


def test_min_employment_setting_reaches_the_server_cli_and_legend(monkeypatch, demo_dir,
                                                                 capsys):
    """``min_employment`` (CLUSTERATLAS_MIN_EMPLOYMENT) is the floor of stars and the
    strong label in the server's atlas and the CLI; the map legend states that value."""
    from fastapi.testclient import TestClient

    from clusteratlas.server import app_from_settings

    assert load_settings().min_employment == 1000
    monkeypatch.setenv("CLUSTERATLAS_MIN_EMPLOYMENT", "2x")
    with pytest.raises(ConfigError, match="min_employment"):
        load_settings()
    monkeypatch.setenv("CLUSTERATLAS_MIN_EMPLOYMENT", "-5")
    with pytest.raises(ConfigError, match="min_employment"):
        load_settings()
    monkeypatch.setenv("CLUSTERATLAS_MIN_EMPLOYMENT", "25000")
    monkeypatch.setenv("CLUSTERATLAS_DATA_DIR", str(demo_dir.path))
    monkeypatch.delenv("CLUSTERATLAS_SCOPE", raising=False)
    assert main(["settings"]) == 0
    assert "min_employment (CLUSTERATLAS_MIN_EMPLOYMENT) = 25000.0" in capsys.readouterr().out
    app = app_from_settings()
    with TestClient(app) as client:
        cells = app.state.atlas.indicators
        assert app.state.atlas.options.min_employment == 25000
        # no star and no strong label below the floor; the default floor had some
        small = cells[cells["employment"] < 25000]
        assert (small["stars"] == 0).all()
        assert not small["strong"].any()
        page = client.get("/?indicator=stars&lang=en").text
        assert "only from 25,000 employees" in page
        assert "only from 1,000 employees" not in page
    from clusteratlas.service.atlas import open_atlas

    base = open_atlas(demo_dir).indicators  # the default floor gives stars below 25,000
    assert ((base["employment"] < 25000) & (base["stars"] > 0)).any()
    # the CLI's atlas follows the setting too (briefings, exports)
    from clusteratlas.cli.app import atlas_and_registry

    view, registry = atlas_and_registry(None)
    registry.store.close()
    assert view.options.min_employment == 25000
