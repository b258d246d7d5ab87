import pytest

from clusteratlas import reference
from clusteratlas.errors import InputError, NotFoundError, UnknownCodeError
from clusteratlas.model import CategorySet, ClusterCategory


def test_membership_with_exclusions_and_coarse_codes():
    wz = reference.wz2008()
    cats = CategorySet("t", "1", "wz2008", [
        ClusterCategory("metal", "Metall", "Metal", include=("25",), exclude=("25.94",)),
        ClusterCategory("fasteners", "Befestigung", "Fasteners", include=("25.94",)),
    ])
    m = cats.membership(wz, ["25.94", "25.99", "25"])
    assert m["25.94"] == ["fasteners"]
    assert m["25.99"] == ["metal"]
    # division 25 contains the excluded class, so it cannot be split: in no category
    assert m["25"] == []
    assert "fasteners:25.94" in cats.unresolved(wz, ["25"])
    assert "metal:-25.94" in cats.unresolved(wz, ["25"])
    assert cats.unresolved(wz, ["25.94", "25.99"]) == []


def test_category_validation():
    with pytest.raises(InputError, match="includes no industry"):
        ClusterCategory("x", "x", "x", include=())
    with pytest.raises(InputError, match="not valid"):
        ClusterCategory("Bad Code", "x", "x", include=("25",))
    cat = ClusterCategory("x", "x", "x", include=("25",))
    with pytest.raises(InputError, match="occurs twice"):
        CategorySet("s", "1", "wz2008", [cat, cat])
    with pytest.raises(UnknownCodeError, match=r"'99\.99'"):
        CategorySet("s", "1", "wz2008",
                    [ClusterCategory("y", "y", "y", include=("99.99",))]).validate_against(
            reference.wz2008())
    with pytest.raises(InputError, match="not below any included"):
        CategorySet("s", "1", "wz2008",
                    [ClusterCategory("y", "y", "y", include=("25",), exclude=("26.11",))]
                    ).validate_against(reference.wz2008())
    with pytest.raises(NotFoundError, match="known:"):
        CategorySet("s", "1", "wz2008", [cat])["nope"]
