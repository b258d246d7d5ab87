import pytest

from clusteratlas.errors import InputError, NotFoundError, UnknownCodeError
from clusteratlas.model import Region, Regions


def test_leading_zero_code_is_kept_and_validated():
    r = Region("08111", "Stuttgart", "district", alt_codes={"ags": "08111", "nuts": "DE111"},
               kind="Stadtkreis")
    assert r.code == "08111"
    assert r.display_name == "Stuttgart (Stadtkreis)"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"code": 8111}, "given as a string"),
        ({"code": ""}, "not valid"),
        ({"code": "08 111"}, "not valid"),
        ({"name": "  "}, "name is empty"),
        ({"level": "kreis"}, "level 'kreis' is not one of"),
        ({"alt_codes": {"ags": "8111"}}, "AGS code '8111' does not have the official form"),
        ({"alt_codes": {"nuts": "de111"}}, "NUTS code"),
        ({"alt_codes": {"fips": "1001"}}, "FIPS code"),
        ({"population": -1}, "negative"),
    ],
)
def test_bad_region_fields_are_rejected(kwargs, message):
    base = {"code": "08111", "name": "Stuttgart", "level": "district"}
    with pytest.raises(InputError, match=message):
        Region(**(base | kwargs))


def test_region_is_immutable():
    r = Region("08111", "Stuttgart", "district", alt_codes={"ags": "08111"})
    with pytest.raises(AttributeError):
        r.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.alt_codes["ags"] = "x"  # type: ignore[index]


def test_register_checks_duplicates_parents_and_alt_codes():
    state = Region("08", "Baden-Württemberg", "state")
    with pytest.raises(InputError, match="occurs twice"):
        Regions([state, state])
    with pytest.raises(UnknownCodeError, match="parent '081'"):
        Regions([Region("08111", "Stuttgart", "district", parent="081")])
    with pytest.raises(InputError, match="used by both"):
        Regions([
            Region("a", "A", "district", alt_codes={"nuts": "DE111"}),
            Region("b", "B", "district", alt_codes={"nuts": "DE111"}),
        ])


def test_lookup_by_alternative_code_and_hierarchy():
    regs = Regions([
        Region("08", "BW", "state"),
        Region("084", "Tübingen", "regierungsbezirk", parent="08"),
        Region("08435", "Bodenseekreis", "district", parent="084",
               alt_codes={"ags": "08435", "nuts": "DE147"}),
    ])
    assert regs.resolve("DE147").code == "08435"
    assert regs.by_alt_code("nuts", "DE147").name == "Bodenseekreis"
    assert [r.code for r in regs.ancestors("08435")] == ["084", "08"]
    assert [r.code for r in regs.children("084")] == ["08435"]
    with pytest.raises(NotFoundError):
        regs["99999"]
    with pytest.raises(NotFoundError):
        regs.resolve("DE999")
    assert "1 state" in repr(regs)


def test_us_county_codes_work():
    regs = Regions([
        Region("01", "Alabama", "state", alt_codes={"fips": "01"}),
        Region("01001", "Autauga County", "county", parent="01", alt_codes={"fips": "01001"}),
    ])
    assert regs.resolve("01001").level == "county"


def test_membership_test_does_not_raise():
    regs = Regions([Region("08", "BW", "state")])
    assert "08" in regs
    assert "99" not in regs
