"""Import hygiene: the analytic core and the model load no web, database or Spark code."""

import subprocess
import sys

import pytest

HEAVY = ["duckdb", "pyspark", "fastapi", "starlette", "jinja2", "click", "typer", "sqlalchemy",
         "uvicorn", "geopandas", "alembic"]


@pytest.mark.parametrize("module", ["clusteratlas", "clusteratlas.core", "clusteratlas.model"])
def test_no_heavy_imports(module):
    code = (
        f"import sys, {module}\n"
        f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} imports {out.stdout.strip()}"


def test_missing_extra_names_install_command(monkeypatch):
    from clusteratlas._optional import import_optional
    from clusteratlas.errors import MissingDependency

    monkeypatch.setitem(sys.modules, "geopandas", None)
    with pytest.raises(MissingDependency, match=r"pip install 'clusteratlas\[geo\]'"):
        import_optional("geopandas", extra="geo", purpose="Importing boundaries")
