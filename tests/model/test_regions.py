import pytest

from clusteratlas.errors import InputError, NotFoundError, UnknownCodeError
from clusteratlas.model import Region, Regions
from clusteratlas.model.regions import FormerRegion


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


def _small_register(former=()):
    return Regions([
        Region("DG", "Deutschland", "country", alt_codes={"nuts": "DE"}),
        Region("08", "Baden-Württemberg", "state", parent="DG", alt_codes={"ags": "08"}),
        Region("08435", "Bodenseekreis", "district", parent="08",
               alt_codes={"ags": "08435", "nuts": "DE147"}),
        Region("US", "United States", "country"),
        Region("US-08", "Colorado", "state", parent="US", alt_codes={"fips": "08", "usps": "CO"}),
    ], former=former)


def test_lookup_keeps_namespaces_apart():
    regs = _small_register()
    assert regs.lookup("08").name == "Baden-Württemberg"
    assert regs.lookup("08", namespace="US").name == "Colorado"
    assert regs.lookup("co", namespace="US").name == "Colorado"
    assert regs.lookup("US-08", namespace="US").name == "Colorado"
    assert regs.lookup("8435").name == "Bodenseekreis"
    assert regs.lookup("de147").name == "Bodenseekreis"
    with pytest.raises(NotFoundError):
        regs.lookup("8435", namespace="US")
    with pytest.raises(NotFoundError):
        regs.lookup("US-08", namespace="DE")
    # resolve() keeps its old meaning: own code first, then any alternative code
    assert regs.resolve("CO").code == "US-08"


def test_former_codes_are_reported_with_their_successors():
    old = FormerRegion("08999", "Landkreis Alt", "merged", 2016, ("08435",))
    regs = _small_register([old])
    assert regs.former("08999") is old
    assert "08999" not in regs
    with pytest.raises(NotFoundError, match=r"08999 \(Landkreis Alt, merged 2016 into "
                                            r"08435 Bodenseekreis\)"):
        regs.lookup("8999")
    assert old.describe() == "08999 (Landkreis Alt, merged 2016 into 08435)"
    split = FormerRegion("08998", "Alt", "split", 2011, ("08", "08435"))
    assert "split 2011 into 08, 08435" not in split.describe()
    assert split.describe().endswith("into 08 and 08435)")


def test_bad_former_codes_are_rejected():
    with pytest.raises(InputError, match="change 'vanished'"):
        FormerRegion("1", "A", "vanished", 2000, ("08",))
    with pytest.raises(InputError, match="no successor"):
        FormerRegion("1", "A", "merged", 2000, ())
    with pytest.raises(UnknownCodeError, match="successor '09'"):
        _small_register([FormerRegion("1", "A", "merged", 2000, ("09",))])
    with pytest.raises(InputError, match="also a current code"):
        _small_register([FormerRegion("08", "A", "merged", 2000, ("08435",))])
    with pytest.raises(InputError, match="namespace 'XX'"):
        _small_register().lookup("08", namespace="XX")
