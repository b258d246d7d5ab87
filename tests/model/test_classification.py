import pytest

from clusteratlas.errors import InputError, NotFoundError, UnknownCodeError
from clusteratlas.model import Classification, Concordance, Industry


def tiny() -> Classification:
    return Classification(
        "tiny",
        [
            Industry("C", "section", None, "Manufacturing"),
            Industry("25", "division", "C", "Metal products"),
            Industry("25.9", "group", "25", "Other metal products"),
            Industry("25.94", "class", "25.9", "Fasteners"),
            Industry("25.99", "class", "25.9", "Other"),
            Industry("25.1", "group", "25", "Structural"),
        ],
        levels=["section", "division", "group", "class"],
    )


def test_hierarchy_queries_follow_parents_not_prefixes():
    c = tiny()
    assert c.ancestors("25.94") == ["25.9", "25", "C"]
    assert c.is_within("25.94", "C")
    assert not c.is_within("25.1", "25.9")
    assert c.leaves_under("25") == ["25.94", "25.99", "25.1"]
    assert c.depth("25.9") == 2


def test_resolving_partition_is_coarse_where_possible():
    c = tiny()
    assert c.resolving_partition(["25.94"], base_level="division") == ["25.94", "25.99", "25.1"]
    assert c.resolving_partition([], base_level="division") == ["25"]


def test_unknown_and_duplicate_codes():
    c = tiny()
    with pytest.raises(UnknownCodeError, match="'26' is not in classification tiny"):
        c["26"]
    with pytest.raises(InputError, match="occurs twice"):
        Classification("x", [Industry("A", "s", None, "a"), Industry("A", "s", None, "a")],
                       levels=["s"])
    with pytest.raises(UnknownCodeError, match="parent 'B'"):
        Classification("x", [Industry("A1", "s", "B", "a")], levels=["s"])
    with pytest.raises(InputError, match="level 'x'"):
        Classification("x", [Industry("A", "x", None, "a")], levels=["s"])


def test_concordance_weights_must_sum_to_one():
    conc = Concordance("naics2012", "naics2017", {"517110": (("517311", 1.0),)})
    assert conc.targets("517110") == (("517311", 1.0),)
    with pytest.raises(NotFoundError):
        conc.targets("1")
    with pytest.raises(InputError, match="sum to 1"):
        Concordance("a", "b", {"x": (("y", 0.5), ("z", 0.4))})
