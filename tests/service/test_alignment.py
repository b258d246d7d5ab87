"""Coverage, portfolio, benchmarks, impact, diversification options and partners on the demo atlas
and on hand-built data."""

import dataclasses

import numpy as np
import pytest

from clusteratlas.errors import InputError, NotFoundError
from clusteratlas.service import benchmarks, coverage, diversification, impact, partners


def test_planted_gap_and_bodenseeairea(atlas):
    cov = coverage.coverage(atlas)
    cell = cov[(cov["region"] == "08126") & (cov["category"] == "fastening_technology")]
    assert cell["status"].item() == "gap"  # Hohenlohekreis: the planted gap
    assert cell["agglomeration"].item()
    air = cov[(cov["region"] == "08435") & (cov["category"] == "aerospace")]
    assert air["status"].item() == "covered"
    assert air["initiatives"].item() == "bodenseeairea"
    assert air["coverage"].item() == "regional"
    assert set(cov["status"]) <= set(coverage.STATUSES)


def test_portfolio_adds_up_to_the_mapping_totals(atlas):
    p = coverage.portfolio(atlas)
    y = p["year"]
    mapped = atlas.indicators[atlas.indicators["year"] == y]["employment"].sum()
    by_status = sum(v["employment"] for v in p["by_status"].values())
    assert by_status == pytest.approx(mapped)
    assert p["total_employment"] == pytest.approx(mapped)
    agglo = sum(p["by_status"][s]["employment"] for s in coverage.AGGLOMERATION_STATUSES)
    assert agglo == pytest.approx(p["agglomeration_employment"])
    covered = sum(p["by_status"][s]["employment"] for s in coverage.COVERED_STATUSES)
    assert p["covered_share"] == pytest.approx(covered / p["agglomeration_employment"])
    assert sum(c["agglomerations"] for c in p["categories"]) == p["agglomerations"] == sum(
        p["by_status"][s]["cells"] for s in coverage.AGGLOMERATION_STATUSES)
    assert sum(c["covered"] for c in p["categories"]) == p["covered"]
    employments = [g["employment"] for g in p["gaps"]]
    assert employments == sorted(employments, reverse=True)
    assert all(len(o["initiatives"].split(";")) >= 2 for o in p["overlaps"])


def test_rules_change_what_counts(atlas):
    strong = coverage.coverage(atlas)
    lq3 = coverage.coverage(atlas, rule=coverage.CoverageRule(agglomeration="lq", min_lq=3.0))
    assert (lq3["agglomeration"] == (lq3["lq"].fillna(0) >= 3.0)).all()
    assert lq3["agglomeration"].sum() != strong["agglomeration"].sum()
    no_state = coverage.coverage(atlas, rule=coverage.CoverageRule(statewide_covers=False))
    assert (no_state["coverage"] != "statewide").all()
    with pytest.raises(InputError, match="agglomeration rule 'x'"):
        coverage.CoverageRule(agglomeration="x")
    # an initiative covers a year only from its founding year on
    later = dataclasses.replace(atlas, initiatives=[
        dataclasses.replace(i, founded=2020) if i.id == "bodenseeairea" else i
        for i in atlas.initiatives])
    for year, status in ((2019, "gap"), (2020, "covered")):
        cov = coverage.coverage(later, year=year)
        cell = cov[(cov["region"] == "08435") & (cov["category"] == "aerospace")]
        assert cell["status"].item() == status


def _report(ident, year, **kpis):
    base = {"initiative_id": ident, "year": year, "categories": ["plastics"],
            "members_sme": 40, "members_large": 5, "members_research": 5, "events": 6,
            "participants": 300, "collaboration_projects": 2, "staff_fte": 2.0}
    return base | kpis


def test_benchmark_percentiles_trend_and_missing(atlas):
    record = next(i for i in atlas.initiatives if i.id == "kunststoffdialog")
    reports = [_report("kunststoffdialog", 2023, events=5),
               _report("kunststoffdialog", 2024, events=12, satisfaction=None),
               _report("a", 2024, events=4), _report("b", 2024, events=8),
               _report("c", 2024, events=20, categories=["aerospace"])]
    out = benchmarks.benchmark(reports, record, {"kunststoffdialog": ["ESCA Gold"]})
    rows = {r["indicator"]: r for r in out["indicators"]}
    # events 12 among 4, 8, 12, 20: below 2 of 4, itself counts half → 62.5
    assert rows["events"]["percentile all"] == pytest.approx(62.5)
    assert rows["events"]["peers same category"] == 3
    assert rows["events"]["change"] == 7
    assert rows["satisfaction"]["value"] is None  # missing, not zero
    assert rows["satisfaction"]["percentile all"] is None
    assert "satisfaction" in out["composite_missing"]
    assert rows["events"]["percentile same label level"] is None  # alone with ESCA Gold
    assert out["label_level"] == 3
    # the composite is the weighted mean of the available percentiles
    scored = [(r["weight"], r["percentile all"]) for r in out["indicators"]
              if r["weight"] and r["percentile all"] is not None]
    assert out["composite"] == pytest.approx(sum(w * p for w, p in scored)
                                             / sum(w for w, _ in scored))
    only_events = benchmarks.benchmark(reports, record, {}, weights={"events": 1.0})
    assert only_events["composite"] == pytest.approx(62.5)
    none = benchmarks.benchmark([], record, {})
    assert none["status"] == "no accepted KPI report yet"
    with pytest.raises(InputError, match="weight for 'budget'"):
        benchmarks.benchmark(reports, record, {}, weights={"budget": 1})


def test_impact_on_the_demo(atlas):
    out = impact.impact(atlas, "bodenseeairea")
    assert out["status"].startswith("the panel starts 2015")  # founded 2012
    assert out["cells"][0]["region"] == "08435"
    assert "not proof of cause" in out["caveat"]
    statewide = impact.impact(atlas, "automotive-bw")
    assert statewide["status"].startswith("no comparison possible")
    # founded inside the panel: a matched difference in differences with its controls
    moved = dataclasses.replace(atlas, initiatives=[
        dataclasses.replace(i, founded=2019) if i.id == "bodenseeairea" else i
        for i in atlas.initiatives])
    did = impact.impact(moved, "bodenseeairea")
    assert did["status"] == "ok"
    d = did["did"]
    assert d["ci_low"] <= d["effect"] <= d["ci_high"]
    assert d["pre_years"] == [2015, 2016, 2017, 2018]
    controls = d["comparison"][0]["controls"]
    assert len(controls) == 5
    assert "08435" not in {c["region"] for c in controls}
    with pytest.raises(NotFoundError):
        impact.impact(atlas, "nope")


def test_opportunities_rank_by_density(atlas):
    out = diversification.opportunities(atlas, "08126", top=5)
    dens = [o["density"] for o in out["opportunities"]]
    assert dens == sorted(dens, reverse=True)
    assert all(o["rca"] < 1 for o in out["opportunities"])
    assert all(e["rca"] >= 1 for o in out["opportunities"] for e in o["evidence"])
    assert out["regions_compared"] == 44
    assert np.isfinite(out["eci"])
    with pytest.raises(InputError, match="--top"):
        diversification.opportunities(atlas, "08126", top=0)


def test_opportunities_need_a_base_in_the_region(atlas):
    """Bodenseekreis has no employees in WZ 32.9 (RCA 0): before, it was suggested
    among the first five; an option is now always an industry the district has."""
    obs = atlas.observations
    latest = obs[obs["year"] == atlas.years[-1]]
    here = latest[latest["region"] == "08435"].groupby("industry")["employment"].sum()
    assert here.get("32.9", 0) == 0
    out = diversification.opportunities(atlas, "08435", top=10)
    assert out["opportunities"]
    assert "32.9" not in [o["industry"] for o in out["opportunities"]]
    for o in out["opportunities"]:
        assert here[o["industry"]] > 0  # from the raw counts
        assert o["employment"] == here[o["industry"]]
        assert 0 < o["rca"] < 1


def test_industry_titles_in_the_page_language(atlas):
    # English: the NACE Rev. 2 title of the same code (Eurostat), not the WZ file's
    assert diversification.industry_title("22.2", "en") == "Manufacture of plastic products"
    assert diversification.industry_title("22.2", "de") == "Herstellung von Kunststoffwaren"
    assert diversification.industry_title("32.9", "en") == "Manufacturing n.e.c."
    # a WZ subclass NACE lacks keeps the WZ file's English title
    assert diversification.industry_title("32.99.0", "en") == "Other manufacturing n.e.c."
    assert diversification.industry_title("99.99.9", "de") == "99.99.9"
    english = diversification.opportunities(atlas, "08126", lang="en")["opportunities"]
    german = diversification.opportunities(atlas, "08126", lang="de")["opportunities"]
    assert [o["industry"] for o in english] == [o["industry"] for o in german]
    for en, de in zip(english, german, strict=True):
        assert en["name"] == diversification.industry_title(en["industry"], "en")
        assert de["name"] == diversification.industry_title(de["industry"], "de")


def test_partners_share_or_relate_categories(atlas):
    out = partners.partners(atlas, "medicalmountains", max_km=100)
    ids = [p["initiative"] for p in out["partners"]]
    assert "technologymountains" in ids  # medical technology, same district
    assert "mannheim-medical-technology" not in ids  # 166 km away
    far = partners.partners(atlas, "medicalmountains", max_km=400)
    assert "mannheim-medical-technology" in [p["initiative"] for p in far["partners"]]
    for p in far["partners"]:
        assert p["shared_categories"] or p["related_categories"]
        assert p["scope"] == "statewide" or p["distance_km"] <= 400
