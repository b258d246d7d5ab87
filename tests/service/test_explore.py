"""The atlas search: both languages, synonyms, seat towns, accents, codes without zero."""

import pytest

from clusteratlas.errors import InputError
from clusteratlas.service import explore


def _codes(found, key):
    return {x["code"] if "code" in x else x["id"] for x in found[key]}


@pytest.mark.parametrize("q", ["Luftfahrt", "luftfahrt", "aviation", "Raumfahrt", "Aerosp"])
def test_category_found_by_name_or_synonym_in_either_language(atlas, q):
    assert "aerospace" in _codes(explore.search(atlas, q), "categories")


def test_search_ignores_accents_and_case(atlas):
    assert "electromobility" in _codes(explore.search(atlas, "ELEKTROMOBILITAT"), "categories")
    assert "08435" in _codes(explore.search(atlas, "bodensee"), "regions")


def test_seat_town_finds_initiative_and_its_district(atlas):
    seated = [i for i in atlas.shown() if i.seat_town == "Friedrichshafen"]
    assert seated, "the demo registry has an initiative seated in Friedrichshafen"
    found = explore.search(atlas, "friedrichshafen")
    assert {i.id for i in seated} <= _codes(found, "initiatives")
    assert {i.seat_region for i in seated if i.seat_region} <= _codes(found, "regions")


def test_code_without_leading_zero_and_nuts(atlas):
    assert "08435" in _codes(explore.search(atlas, "8435"), "regions")
    assert "08435" in _codes(explore.search(atlas, "de147"), "regions")


def test_one_letter_is_an_input_error(atlas):
    with pytest.raises(InputError, match="at least 2 characters"):
        explore.search(atlas, " x ")


def test_canonical_region_code(atlas):
    assert explore.canonical_region_code(atlas, "8435") == "08435"
    assert explore.canonical_region_code(atlas, "08435") == "08435"
    assert explore.canonical_region_code(atlas, "nowhere") == "nowhere"
