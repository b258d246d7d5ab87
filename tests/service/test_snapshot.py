"""The stored indicator table (service/snapshot.py): read back exactly, never stale."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from clusteratlas.service import atlas as atlas_module
from clusteratlas.service import snapshot
from clusteratlas.service.atlas import open_atlas
from clusteratlas.service.mapping import MappingOptions
from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import StatsStore


@pytest.fixture
def data_dir(demo_dir, tmp_path) -> DataDir:
    """A copy of the demo, so that the test may change its data."""
    shutil.copytree(demo_dir.path, tmp_path / "data", ignore=shutil.ignore_patterns("cache"))
    return DataDir(tmp_path / "data")


def stored(data_dir: DataDir) -> list[str]:
    return sorted(p.name for p in (data_dir.path / snapshot.CACHE_FOLDER).glob("*.parquet"))


def _no_mapping(*args, **kwargs):
    raise AssertionError("the indicators were mapped although a stored table matches")


def test_a_second_open_reads_the_stored_table_exactly(data_dir, monkeypatch):
    first = open_atlas(data_dir)
    assert len(stored(data_dir)) == 1
    monkeypatch.setattr(atlas_module, "category_indicators", _no_mapping)
    second = open_atlas(data_dir)
    pd.testing.assert_frame_equal(second.indicators, first.indicators, check_exact=True)
    assert list(second.indicators.dtypes) == list(first.indicators.dtypes)


def test_other_options_are_mapped_afresh(data_dir):
    plain = open_atlas(data_dir)
    other = open_atlas(data_dir, MappingOptions(span=3))
    assert not other.indicators["cagr"].equals(plain.indicators["cagr"])
    assert len(stored(data_dir)) == 2  # one table per way of mapping


def test_changed_data_is_never_answered_from_the_stored_table(data_dir):
    before = open_atlas(data_dir)
    row = before.indicators.query("region == '08435' and category == 'automotive'").iloc[-1]
    # the observations change behind the atlas' back (no import, nothing forgotten)
    with StatsStore(data_dir.stats_file).connect() as con:
        con.execute("UPDATE observations SET employment = employment * 2 "
                    "WHERE region = '08435' AND year = ?", [int(row["year"])])
    after = open_atlas(data_dir)
    new = after.indicators.query("region == '08435' and category == 'automotive'").iloc[-1]
    assert new["employment"] == 2 * row["employment"]
    assert len(stored(data_dir)) == 2  # the table of the data before stays until forgotten


def test_an_unreadable_table_is_mapped_afresh(data_dir):
    first = open_atlas(data_dir)
    (path,) = (data_dir.path / snapshot.CACHE_FOLDER).glob("*.parquet")
    path.write_bytes(b"cut short")
    again = open_atlas(data_dir)
    pd.testing.assert_frame_equal(again.indicators, first.indicators, check_exact=True)
    assert path.stat().st_size > 1000  # written anew


def test_forget_drops_the_tables(data_dir):
    open_atlas(data_dir)
    snapshot.forget(data_dir)
    assert stored(data_dir) == []


def test_the_product_space_is_stored_and_read_back_exactly(data_dir, monkeypatch):
    """The product space of a year (service/diversification.py) is kept as arrays:
    a second process reads the same numbers, bit for bit, without computing them;
    a damaged file is computed afresh; forget drops it too."""
    import numpy as np

    from clusteratlas.service import diversification

    first = diversification.opportunities(open_atlas(data_dir), "08435", top=5)
    (path,) = (data_dir.path / snapshot.CACHE_FOLDER).glob("arrays-*.npz")

    def no_complexity(*args, **kwargs):
        raise AssertionError("the product space was computed although it is stored")

    with monkeypatch.context() as m:
        m.setattr(diversification, "complexity", no_complexity)
        atlas = open_atlas(data_dir)
        again = diversification.opportunities(atlas, "08435", top=5)
        space = diversification._space(atlas, None, "de")
    assert again == first
    fresh = diversification.complexity(space.employment)
    for name in ("rca", "mcp", "proximity", "density", "eci", "pci", "coi", "cog"):
        np.testing.assert_allclose(getattr(space.result, name), getattr(fresh, name),
                                   rtol=1e-12, atol=1e-12, equal_nan=True)
    assert all(isinstance(c, str) for c in space.regions + space.industries)
    path.write_bytes(b"cut short")
    assert diversification.opportunities(open_atlas(data_dir), "08435", top=5) == first
    snapshot.forget(data_dir)
    assert list((data_dir.path / snapshot.CACHE_FOLDER).glob("arrays-*.npz")) == []
