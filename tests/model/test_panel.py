import numpy as np
import pandas as pd
import pytest

from clusteratlas import reference
from clusteratlas.errors import InputError, SchemaError, UnknownCodeError
from clusteratlas.model import Panel


def frame(**overrides):
    base = {
        "region": ["08111", "08111", "08435"],
        "industry": ["25", "62", "25"],
        "year": [2020, 2020, 2020],
        "employment": [100.0, 50.0, 30.0],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_valid_panel_keeps_string_codes_and_sorts():
    p = Panel.from_frame(frame(), classification=reference.wz2008(), regions=reference.bw_regions())
    f = p.frame
    assert list(f["region"]) == ["08111", "08111", "08435"]
    assert p.regions == ["08111", "08435"]
    assert p.industries == ["25", "62"]
    assert (f["flag"] == "reported").all()
    assert "3 cells" in repr(p)


def test_frame_is_a_copy():
    p = Panel.from_frame(frame())
    f = p.frame
    f.loc[0, "employment"] = -5
    assert p.frame.loc[0, "employment"] == 100.0


def test_missing_column():
    with pytest.raises(SchemaError, match=r"panel.csv: missing column.*employment"):
        Panel.from_frame(frame().drop(columns="employment"), source="panel.csv")


def test_duplicate_observation_names_lines():
    df = frame(industry=["25", "25", "25"], region=["08111", "08111", "08435"])
    with pytest.raises(InputError, match=r"p.csv, lines 2, 3: duplicate observation for region '08111'"):
        Panel.from_frame(df, source="p.csv", first_line=2)


def test_negative_employment_names_line_and_field():
    with pytest.raises(InputError, match=r"p.csv, line 3 .*field 'employment' is -50; expected a number ≥ 0"):
        Panel.from_frame(frame(employment=[100, -50, 30]), source="p.csv", first_line=2)


def test_non_numeric_employment():
    with pytest.raises(InputError, match=r"line 2 .*'employment' is 'lots'"):
        Panel.from_frame(frame(employment=["lots", 1, 2]), source="p.csv", first_line=2)


def test_unknown_industry_and_region_codes():
    with pytest.raises(UnknownCodeError, match=r"industry code '25.999' is not in classification wz2008"):
        Panel.from_frame(frame(industry=["25", "62", "25.999"]), classification=reference.wz2008())
    with pytest.raises(UnknownCodeError, match=r"region code '99999' is not in the region register"):
        Panel.from_frame(frame(region=["08111", "08111", "99999"]), regions=reference.bw_regions())


def test_numeric_region_codes_are_refused():
    with pytest.raises(InputError, match="expected a code given as text"):
        Panel.from_frame(frame(region=[8111, 8111, 8435]))


def test_suppressed_is_missing_not_zero():
    p = Panel.from_frame(frame(employment=[100, np.nan, 30]))
    f = p.frame
    row = f[(f["region"] == "08111") & (f["industry"] == "62")].iloc[0]
    assert np.isnan(row["employment"])
    assert row["flag"] == "suppressed"


def test_flag_must_agree_with_value():
    with pytest.raises(InputError, match="flagged 'suppressed' but has an employment value"):
        Panel.from_frame(frame(flag=["suppressed", "reported", "reported"]))
    with pytest.raises(InputError, match="employment is missing but the cell is not flagged"):
        Panel.from_frame(frame(employment=[np.nan, 1, 2], flag=["reported"] * 3))
    with pytest.raises(InputError, match="field 'flag' is 'secret'"):
        Panel.from_frame(frame(flag=["secret", "reported", "reported"]))


def test_bad_year():
    with pytest.raises(InputError, match="field 'year'"):
        Panel.from_frame(frame(year=[2020, 2020.5, 2020]))


# -- the contract in one place: Panel.from_arrow, which every engine's table goes through

def arrow(**overrides):
    import pyarrow as pa

    return pa.Table.from_pandas(frame(**overrides), preserve_index=False)


def test_from_arrow_checks_the_same_contract():
    import pyarrow as pa

    from clusteratlas.model.panel import FIRST_YEAR, LAST_YEAR

    p = Panel.from_arrow(arrow(), source="p.parquet", unit="row")
    assert p.region_codes[p.region_idx[2]] == "08435"
    assert p.employment.tolist() == [100.0, 50.0, 30.0]
    with pytest.raises(InputError, match=r"p.parquet, row 3 \(region '08435', industry '25', "
                                          r"year 2020\): field 'employment' is -1"):
        Panel.from_arrow(arrow(employment=[1.0, 2.0, -1.0]), source="p.parquet", unit="row")
    with pytest.raises(InputError, match=f"field 'year' is 2201; expected a year between "
                                         f"{FIRST_YEAR} and {LAST_YEAR}"):
        Panel.from_arrow(arrow(year=[2020, 2201, 2020]))
    with pytest.raises(InputError, match=r"line 2 .*field 'region' is empty"):
        Panel.from_arrow(arrow(region=["08111", "  ", "08435"]), first_line=1)
    with pytest.raises(SchemaError, match="missing column"):
        Panel.from_arrow(pa.table({"region": ["a"], "industry": ["b"], "year": [2020]}))


def test_from_arrow_names_duplicates_an_engine_found():
    import pyarrow as pa

    grouped = pa.table({"region": ["A", "B"], "industry": ["x", "x"], "year": [2020, 2020],
                        "employment": [3.0, 4.0], "n_rows": [1, 2]})
    with pytest.raises(InputError, match=r"found by the spark engine\): duplicate observation "
                                         r"for region 'B'"):
        Panel.from_arrow(grouped, source="p.csv", engine="spark")


def test_codes_are_stripped_once():
    p = Panel.from_frame(frame(region=["08111", " 08111 ", "08435"]))
    assert p.regions == ["08111", "08435"]
    assert p.frame["region"].tolist() == ["08111", "08111", "08435"]


def test_arrow_codes_and_years_are_kept_as_32_bit_integers():
    """The panel's code indices keep Arrow's 32 bits (issue 17.2: half the memory of
    64-bit copies); the codes and years they stand for are unchanged."""
    import pyarrow as pa

    codes = pa.array(["08111", "08435"])
    table = pa.table({
        "region": pa.DictionaryArray.from_arrays(pa.array([0, 1, 1], pa.int32()), codes),
        "industry": pa.DictionaryArray.from_arrays(pa.array([1, 0, 1], pa.int32()),
                                                   pa.array(["25", "62"])),
        "year": pa.array([2019, 2020, 2020], pa.int16()),
        "employment": pa.array([1.0, 2.0, 3.0]),
    })
    p = Panel.from_arrow(table)
    assert p.region_idx.dtype == np.int32
    assert p.industry_idx.dtype == np.int32
    assert p.year.dtype == np.int32
    assert list(p.year) == [2019, 2020, 2020]
    assert p.frame["year"].dtype == np.int64  # the frame's years as before
    assert list(p.frame["region"]) == ["08111", "08435", "08435"]
