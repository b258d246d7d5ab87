"""Settings: defaults < ``clusteratlas.toml`` < ``CLUSTERATLAS_*`` environment < CLI flags."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from clusteratlas.errors import ConfigError

__all__ = ["ENGINES", "SETTINGS_HELP", "Settings", "default_data_dir", "load_settings"]

SETTINGS_HELP = {
    "data_dir": "Folder holding the statistics (DuckDB) and registry (SQLite) files. "
    "Default: the platform's user data folder.",
    "host": "Address the web server listens on. Default 127.0.0.1.",
    "port": "Port of the web server. Default 8000.",
    "forwarded_allow_ips": "Addresses of the TLS proxies whose X-Forwarded-For/-Proto the "
    "server believes (comma-separated, or * behind a private network only), so that "
    "cookies get Secure and the sign-in limit counts the real client. Default: uvicorn's "
    "FORWARDED_ALLOW_IPS, else 127.0.0.1.",
    "lang": "Language of pages and briefings: de or en. Default de.",
    "registry_url": "SQLAlchemy URL of the initiative registry, e.g. "
    "postgresql+psycopg://user@host/db (needs the [postgres] extra). Default: "
    "registry.sqlite in the data directory.",
    "engine": "Engine that reads and aggregates panels: duckdb (embedded) or spark. "
    "Default duckdb; a command's --engine wins.",
    "spark_url": "Spark master (local[*], spark://host:7077) or Spark Connect URL "
    "(sc://host:15002) of the spark engine. Default: an already active session (a "
    "notebook's, spark-submit's), else local[*].",
    "spark_driver_memory": "Memory of the Spark driver in local mode, e.g. 4g. Default 4g.",
    "scope": "Region whose districts the atlas shows and ranks (a country DG/US, a Land "
    "09, a Regierungsbezirk 081, a US state US-06). Default: the data directory's home "
    "scope (08 for the demo, the country for an import).",
    "min_employment": "Minimum employment of a cell for stars and the strong-cluster "
    "label on the pages, in the API, briefings and 'clusteratlas map' (the legend states "
    "it); 0 applies the relative rules alone. Default 1000.",
    "genesis_user": "User name of the GENESIS web service for 'clusteratlas get'; its "
    "password is the setting genesis_password (CLUSTERATLAS_GENESIS_PASSWORD), never shown.",
}

ENGINES = ("duckdb", "spark")


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("clusteratlas", appauthor=False)


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    forwarded_allow_ips: str | None = None
    lang: str = "de"
    registry_url: str | None = None
    engine: str = "duckdb"
    spark_url: str | None = None
    spark_driver_memory: str = "4g"
    genesis_user: str | None = None
    scope: str | None = None
    min_employment: float = 1000.0
    genesis_password: str | None = field(default=None, repr=False)

    def directory(self) -> Any:
        """The :class:`~clusteratlas.store.datadir.DataDir` these settings describe."""
        from clusteratlas.store.datadir import DataDir

        return DataDir(self.data_dir, registry_db=self.registry_url)

    def __post_init__(self) -> None:
        if not 0 < int(self.port) < 65536:
            raise ConfigError(f"setting 'port' is {self.port!r}; expected 1–65535")
        if self.lang not in ("de", "en"):
            raise ConfigError(f"setting 'lang' is {self.lang!r}; expected 'de' or 'en'")
        if not float(self.min_employment) >= 0:  # also refuses NaN
            raise ConfigError(f"setting 'min_employment' is {self.min_employment!r}; "
                              "expected a number of employees ≥ 0")
        if self.engine not in ENGINES:
            raise ConfigError(f"setting 'engine' is {self.engine!r}; expected "
                              f"{' or '.join(ENGINES)}")

    def engine_choice(self, engine: str | None = None,
                      url: str | None = None) -> tuple[str, str | None]:
        """The engine and Spark URL a command runs with: its own flags, else these
        settings (``url`` is ``None`` for DuckDB)."""
        name = engine or self.engine
        return name, (url or self.spark_url) if name == "spark" else url

    def with_overrides(self, **values: object) -> Settings:
        given = {k: v for k, v in values.items() if v is not None}
        if "data_dir" in given:
            given["data_dir"] = Path(str(given["data_dir"])).expanduser()
        if "port" in given:
            given["port"] = int(str(given["port"]))
        if "min_employment" in given:
            try:
                given["min_employment"] = float(str(given["min_employment"]))
            except ValueError:
                raise ConfigError(f"setting 'min_employment' is {given['min_employment']!r}; "
                                  "expected a number of employees ≥ 0") from None
        return replace(self, **given)  # type: ignore[arg-type]


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Merge defaults, the TOML file, environment variables and explicit overrides."""
    settings = Settings(data_dir=default_data_dir())
    path = config_file or Path("clusteratlas.toml")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        section = data.get("clusteratlas", data)
        unknown = set(section) - {f.name for f in fields(Settings)}
        if unknown:
            raise ConfigError(
                f"{path}: unknown setting(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(SETTINGS_HELP)}"
            )
        settings = settings.with_overrides(**section)
    env = {
        f.name: os.environ.get(f"CLUSTERATLAS_{f.name.upper()}")
        for f in fields(Settings)
    }
    try:
        settings = settings.with_overrides(**env)
        return settings.with_overrides(**overrides)
    except ValueError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"invalid setting: {exc}") from None
