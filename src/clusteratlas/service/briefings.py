"""Briefings for decision makers: a district, an initiative or the state's portfolio.

The builders gather the same numbers the pages and the API show (atlas snapshot,
registry, the use cases) into a :class:`Briefing`: what a briefing says, independent of
how it is printed.  Its charts are specs of plain data (values and statuses, no
colours); the renderers in :mod:`clusteratlas.reports` draw and print it as PDF or
HTML.  Only public registry fields appear: a briefing is made to be handed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from clusteratlas.errors import ClusteratlasError, InputError, NotFoundError
from clusteratlas.i18n import text
from clusteratlas.i18n.formats import (
    format_date,
    format_number,
    format_percent_share,
    format_signed_percent,
)
from clusteratlas.registry.auth import ANONYMOUS
from clusteratlas.service import explore
from clusteratlas.service.atlas import Atlas
from clusteratlas.service.benchmarks import derived_indicators, initiative_benchmark
from clusteratlas.service.briefing_sections import (
    glossary_rows,
    has_published_totals,
    portfolio_points,
    source_lines,
    state_total,
)
from clusteratlas.service.coverage import STATUSES, coverage, portfolio
from clusteratlas.service.diversification import opportunities
from clusteratlas.service.impact import impact as impact_of
from clusteratlas.service.maps import state_map
from clusteratlas.service.regions import neighbours, region_profile

__all__ = ["Block", "Briefing", "Chart", "build", "district_briefing", "fmt_number",
           "initiative_briefing", "seat_text", "state_briefing"]


@dataclass(frozen=True)
class Chart:
    """``kind``: ``bars`` (labels, values), ``lines`` (x, series name → values),
    ``map`` (GeoJSON strings by region, each region's value of a map ``indicator``,
    labels, highlighted region) or ``grid`` (row labels, column labels, a coverage
    status per cell, the statuses' legend labels)."""

    kind: str
    title: str
    data: Mapping[str, Any] = field(default_factory=dict)
    width: float = 6.4
    height: float = 2.6


@dataclass(frozen=True)
class Block:
    """One piece of a briefing: a heading, text, figures, a table, a chart or a note."""

    kind: str  # heading | text | figures | table | chart | note
    text: str = ""
    rows: list[list[Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    chart: Chart | None = None
    figures: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Briefing:
    """A briefing: a title, blocks (headings, paragraphs, key figures, tables, charts,
    notes) and the sources."""

    kind: str
    title: str
    subtitle: str
    lang: str
    synthetic: bool
    synthetic_notice: str
    generated: str
    vintage: str
    blocks: list[Block]
    sources: list[str]

    def text(self) -> str:
        """All words of the briefing (for search and tests)."""
        parts = [self.title, self.subtitle]
        for b in self.blocks:
            parts.append(b.text)
            parts.extend(" ".join(str(c) for c in row) for row in b.rows)
            parts.extend(f"{k} {v}" for k, v in b.figures)
        return "\n".join(parts)


def fmt_number(value: Any, lang: str, digits: int = 0) -> str:
    """A number as the language writes it (:func:`~clusteratlas.i18n.formats.format_number`)."""
    return format_number(value, lang, digits)


def _formatter(lang: str) -> Any:
    def f(value: Any, digits: int = 0) -> str:
        return fmt_number(value, lang, digits)

    return f


def _t(key: str, lang: str, **kw: Any) -> str:
    # the one catalogue of the pages, the API and the briefings
    return text(key, lang, **kw)


def _common(atlas: Atlas, lang: str, year: int) -> dict[str, Any]:
    meta = atlas.meta()
    vintage = f"{atlas.years[0]}–{atlas.years[-1]}"
    return {"lang": lang, "synthetic": bool(meta["synthetic"]),
            "synthetic_notice": _t("synthetic", lang).upper() if meta["synthetic"] else "",
            "generated": format_date(date.today(), lang), "vintage": vintage,
            "sources": source_lines(atlas, lang)}


def _footer(atlas: Atlas, lang: str, common: dict[str, Any], year: int, *,
            area: str) -> list[Block]:
    """The methods explained (a glossary of the measures), then the sources."""
    return [Block("heading", _t("methods", lang)), Block("text", _t("methods_text", lang)),
            Block("table", columns=[_t("brief_term", lang), _t("brief_meaning", lang)],
                  rows=glossary_rows(atlas, lang, year, area=area)),
            Block("heading", _t("sources", lang)),
            *[Block("note", s) for s in common["sources"]],
            Block("note", _t("generated", lang, date=common["generated"],
                             vintage=common["vintage"]))]


#: clusters labelled by name in the state's portfolio chart (the largest)
_LABELLED = 10


def _state_name(atlas: Atlas) -> str:
    """The area the briefing compares with: the chosen scope, else the state."""
    if atlas.choice is not None:
        return str(atlas.choice.scope.display_name)
    state = next((r for r in atlas.regions.values() if r.level == "state"), None)
    return state.display_name if state else "—"


def _initiative_names(atlas: Atlas) -> dict[str, str]:
    return {i.id: i.name for i in atlas.shown(ANONYMOUS)}


def _portfolio_chart(atlas: Atlas, lang: str, year: int, title: str,
                     points: list[dict[str, Any]]) -> Chart:
    start = atlas.years[0]
    return Chart("portfolio", title, {
        "points": points, "lang": lang,
        "x_label": _t("brief_portfolio_x", lang),
        "y_label": _t("brief_portfolio_y", lang, start=start, end=year),
        "legend": {k: _t(k, lang) for k in STATUSES}}, width=6.4, height=4.0)


def district_briefing(atlas: Atlas, code: str, *, lang: str = "de",
                      year: int | None = None, registry: Any = None) -> Briefing:
    # a briefing is handed out: the public's view, whoever asks for it
    profile = region_profile(atlas, code, year=year, lang=lang, actor=ANONYMOUS)
    region = profile["region"]
    rcode, y = region["code"], profile["year"]
    name = region["display_name"]
    cats = {c.code: c.name(lang) for c in atlas.categories.categories}
    top = sorted((c for c in profile["categories"] if c["lq"] is not None),
                 key=lambda c: -c["lq"])[:5]
    f = _formatter(lang)
    blocks = [Block("heading", _t("headline", lang)),
              Block("figures", figures=[
                  (_t("employment", lang), f(profile["total_employment"])),
                  (_t("population", lang), f(region.get("population"))),
                  ("AGS / NUTS-3", f"{region.get('ags')} / {region.get('nuts3')}")]),
              Block("table", _t("strongest", lang),
                    columns=[_t("category", lang), "LQ", _t("employment", lang),
                             _t("stars", lang), _t("strong", lang)],
                    rows=[[c["name"], f(c["lq"], 2), f(c["employment"]), "★" * c["stars"],
                           _t("yes", lang) if c["strong"] else ""] for c in top])]
    cov = coverage(atlas, year=y)
    here = cov[cov["region"] == rcode]
    points = portfolio_points(atlas, y, here, {(rcode, c): n for c, n in cats.items()})
    if points:
        blocks += [Block("heading", _t("brief_portfolio", lang)),
                   Block("chart", chart=_portfolio_chart(
                       atlas, lang, y, _t("brief_portfolio_title", lang,
                                          start=atlas.years[0], end=y), points)),
                   Block("note", _t("brief_portfolio_note", lang, end=y))]
    # the district among its neighbours, coloured by its strongest category's LQ
    near = neighbours(atlas, rcode, n=8)
    if top:
        lead = top[0]["category"]
        mapped = state_map(atlas, category=lead, year=y, lang=lang)
        blocks += [Block("heading", _t("map", lang)), Block("chart", chart=Chart(
            "map", f"LQ – {cats[lead]}", {
                "geometries": atlas.geometries, "indicator": "lq", "lang": lang,
                "values": {r["code"]: r["value"] for r in mapped["regions"]},
                "highlight": rcode, "focus": [rcode, *near],
                "labels": {r["code"]: r["abbreviation"] or r["name"][:3]
                           for r in mapped["regions"]},
                "geographic": atlas.layer != "schematic",
                "no_data": _t("no_data", lang), "legend_title": "LQ"},
            width=6.4, height=3.6)),
            Block("note", _t("map_caption", lang, cat=cats[lead], name=name))]
        series = explore.trends(atlas, rcode, [c["category"] for c in top[:3]])
        years = [p["year"] for p in series[0]["points"]]
        values = {cats[s["category"]]: [p["employment"] for p in s["points"]] for s in series}
        blocks += [Block("heading", _t("trends", lang)),
                   Block("chart", chart=Chart("lines", f"{_t('employment', lang)} – {name}",
                                              {"x": years, "series": values, "lang": lang})),
                   Block("table", columns=[_t("year", lang), *values],
                         rows=[[str(x), *[f(vs[n]) for vs in values.values()]]
                               for n, x in enumerate(years)])]
    mine = here[here["status"] != "none"].sort_values("employment", ascending=False)
    initiative_names = _initiative_names(atlas)
    blocks += [Block("heading", _t("coverage", lang)),
               Block("table", columns=[_t("category", lang), "LQ", _t("employment", lang),
                                       _t("status", lang), _t("initiatives", lang)],
                     rows=[[cats[r.category], f(r.lq, 2), f(r.employment), _t(r.status, lang),
                            ", ".join(initiative_names.get(i, i)
                                      for i in str(r.initiatives).split(";") if i)]
                           for r in mine.itertuples()])]
    blocks.append(Block("heading", _t("district_initiatives", lang)))
    if profile["initiatives"]:
        rows = []
        for i in profile["initiatives"]:
            latest = _latest_public_report(registry, i["id"])
            kpis = (f"{_t('members', lang)} {f(_members(latest))}, {_t('events', lang)} "
                    f"{f(latest.get('events'))} ({latest['year']})" if latest else "–")
            rows.append([i["name"], ", ".join(c["name"] for c in i["categories"]),
                         in_language(i.get("members"), i.get("members_en"), lang), kpis])
        blocks.append(Block("table", columns=["Initiative", _t("category", lang),
                                              _t("members", lang), "KPI"], rows=rows))
    else:
        blocks.append(Block("text", _t("none_here", lang)))
    try:
        options = opportunities(atlas, rcode, year=y, top=5, lang=lang)
        blocks += [Block("heading", _t("options", lang)), Block("note", _t("options_note", lang)),
                   Block("table", columns=[_t("industry", lang), _t("density", lang), "RCA",
                                           "PCI"],
                         rows=[[f"{o['industry']} {o['name']}", f(o["density"], 2),
                                f(o["rca"], 2), f(o["pci"], 2)]
                               for o in options["opportunities"]])]
    except ClusteratlasError:
        pass
    # the same measures and labels as the region page: the category's share of the
    # district's employees (share_of_region) and the district's share of the state's
    # employees in the category (share_of_category); between them the category's share
    # of all the state's employees, so LQ = first / second reads off the table
    state = atlas.indicators[atlas.indicators["year"] == y]
    total_state = state_total(atlas, y)
    blocks += [Block("heading", _t("state_compare", lang)),
               Block("table", columns=[_t("category", lang), _t("share_of_region", lang),
                                       _t("share_state", lang), "LQ",
                                       _t("share_of_category", lang)],
                     rows=[[c["name"], _share(c["share_of_region"], lang),
                            _share(state[state["category"] == c["category"]]["employment"]
                                   .sum() / total_state, lang),
                            f(c["lq"], 2), _share(c["share_of_category"], lang)]
                           for c in top])]
    common = _common(atlas, lang, y)
    return Briefing(kind="district", title=_t("district_title", lang, name=name),
                    subtitle=_t("district_sub", lang, year=y),
                    blocks=blocks + _footer(atlas, lang, common, y, area=_state_name(atlas)),
                    **common)


def _share(value: float | None, lang: str) -> str:
    """A share as a percentage, with two decimals below 1 % (0,14 % rather than 0,1 %,
    so the LQ can be read off the table)."""
    return format_percent_share(value, lang, 2 if value is not None and abs(value) < 0.01
                                else 1)


def _members(report: dict[str, Any]) -> float:
    return derived_indicators(report)["members_total"] or 0


def _latest_public_report(registry: Any, initiative_id: str) -> dict[str, Any] | None:
    """The newest accepted yearly report the public may see, if any."""
    if registry is None:
        return None
    try:
        reports = registry.kpis(initiative_id, ANONYMOUS)
    except ClusteratlasError:
        return None
    accepted = [r for r in reports if r["status"] == "accepted"]
    return max(accepted, key=lambda r: r["year"]) if accepted else None


def seat_text(town: str | None, region_name: str | None) -> str:
    """An initiative's seat with its district, the town named once.

    Parameters
    ----------
    town : str or None
        The seat's town.
    region_name : str or None
        The display name of the seat's district.

    Returns
    -------
    str
        "Karlsruhe (Stadtkreis)" where the district is named for the town,
        "Friedrichshafen (Bodenseekreis)" where it is not, "–" for neither.
    """
    if not region_name:
        return town or "–"
    if not town or region_name == town or region_name.startswith(f"{town} ("):
        return region_name
    base = town.split(" (")[0]  # "Stuttgart (+ Tübingen office)"
    if region_name == base or region_name.startswith(f"{base} ("):
        return town  # the town already names the district's city: no second bracket
    return f"{town} ({region_name})"


def in_language(german: str | None, english: str | None, lang: str) -> str:
    """A registry text in the briefing's language: the ``lang`` variant (the field for
    German, its ``_en`` twin for English), else the other one, else "–" – the rule of
    the pages (:func:`clusteratlas.web.i18n.variant`), without their markup."""
    own, other = (german, english) if lang == "de" else (english, german)
    return own or other or "–"


def initiative_briefing(atlas: Atlas, registry: Any, initiative_id: str, *,
                        lang: str = "de") -> Briefing:
    item = registry.get(initiative_id, ANONYMOUS)
    cats = {c.code: c.name(lang) for c in atlas.categories.categories}
    f = _formatter(lang)
    names = {c: atlas.regions[c].display_name for c in atlas.regions}
    blocks = [Block("heading", _t("profile", lang)), Block("figures", figures=[
        (_t("sector", lang), in_language(item["sector"], item.get("sector_en"), lang)),
        (_t("category", lang), ", ".join(cats.get(c, c) for c in item["categories"]) or "–"),
        (_t("seat", lang), seat_text(item["seat_town"], names.get(item["seat_region"] or ""))),
        (_t("district", lang), ", ".join(names.get(c, c) for c in item["regions_served"]) or "–"),
        (_t("f_managing_organisation", lang),
         in_language(item["managing_organisation"], item.get("managing_organisation_en"),
                     lang)),
        (_t("founded", lang), str(item["founded_on"] or item["founded"]
                                                         or "–")),
        (_t("members", lang), in_language(item.get("members_text"),
                                          item.get("members_text_en"), lang))])]
    for fact in item.get("facts", []):
        blocks.append(Block("note", in_language(fact["text"], fact.get("text_en"), lang)))
    reports = [r for r in item.get("kpi_reports", []) if r["status"] == "accepted"]
    blocks.append(Block("heading", _t("kpis", lang)))
    if reports:
        years = [r["year"] for r in reports]
        members = [_members(r) for r in reports]
        events = [r["events"] for r in reports]
        blocks += [Block("chart", chart=Chart("lines", item["name"], {
            "x": years, "series": {_t("members", lang): members,
                                   _t("events", lang): events}})),
                   Block("table", columns=["", *[str(y) for y in years]],
                         rows=[[_t("members", lang), *[f(v) for v in members]],
                               [_t("events", lang), *[f(v) for v in events]]])]
        bench = initiative_benchmark(atlas, registry, initiative_id)
        if bench["status"] == "ok":
            blocks += [Block("heading", _t("benchmark", lang)),
                       Block("figures", figures=[(_t("composite", lang),
                                                  f(bench["composite"], 0))]),
                       Block("table", columns=["", _t("value", lang),
                                               _t("percentile", lang)],
                             rows=[[r["indicator"], f(r["value"], 1),
                                    f(r["percentile all"], 0)]
                                   for r in bench["indicators"] if r["value"] is not None])]
    else:
        blocks.append(Block("text", _t("no_kpis", lang)))
    impact = impact_of(atlas, initiative_id)
    if impact["cells"]:
        blocks += [Block("heading", _t("impact", lang)),
                   Block("table", columns=[_t("district", lang), _t("category", lang),
                                           f"{_t('employment', lang)} {impact['cells'][0]['start_year']}",
                                           f"{_t('employment', lang)} {impact['years'][1]}"],
                         rows=[[c["region_name"], cats.get(c["category"], c["category"]),
                                f(c["employment_start"]), f(c["employment_latest"])]
                               for c in impact["cells"]])]
        did = impact.get("did")
        if did:
            blocks.append(Block("text", f"{_t('brief_did', lang)}: "
                                        f"{format_signed_percent(did['effect'], lang)} "
                                        f"({format_signed_percent(did['ci_low'], lang)} … "
                                        f"{format_signed_percent(did['ci_high'], lang)})"))
        else:
            # the reason in the briefing's language (the API words it in English)
            blocks.append(Block("note", _t(impact["status_key"], lang,
                                           **impact.get("status_fields", {}))
                                if impact.get("status_key") else impact["status"]))
        blocks.append(Block("note", _t("impact_caveat", lang)))
    if item.get("cooperations"):
        blocks += [Block("heading", _t("cooperations", lang)),
                   *[Block("text", f"{c['partner_name'] or c['partner_initiative_id'] or c['partner_region']}"
                                   f"{' – ' + c['kind'] if c['kind'] else ''}")
                     for c in item["cooperations"]]]
    if item.get("labels"):
        blocks += [Block("heading", _t("labels", lang)),
                   Block("table", columns=["Label", _t("from", lang),
                                           _t("until", lang)],
                         rows=[[x["label"], x["valid_from"] or "–", x["valid_until"] or "–"]
                               for x in item["labels"]])]
    common = _common(atlas, lang, atlas.years[-1])
    common["sources"] = [s["url"] for s in item.get("sources", [])] + common["sources"]
    return Briefing(kind="initiative", title=_t("initiative_title", lang, name=item["name"]),
                    subtitle=in_language(item["sector"], item.get("sector_en"), lang),
                    blocks=blocks + _footer(atlas, lang, common, atlas.years[-1],
                                            area=_state_name(atlas)), **common)


def state_briefing(atlas: Atlas, registry: Any, *, lang: str = "de",
                   year: int | None = None) -> Briefing:
    y = atlas.year_or_latest(year)
    p = portfolio(atlas, year=y)
    cov = coverage(atlas, year=y)
    cats = {c.code: c.name(lang) for c in atlas.categories.categories}
    f = _formatter(lang)
    name = _state_name(atlas)
    by = p["by_status"]
    # the state's employees: the published totals (or, without TOTAL rows, the sum of
    # every industry of the panel, said so), not the sum of the cluster categories
    total_key = ("brief_total_employment" if has_published_totals(atlas)
                 else "brief_total_sum")
    blocks = [Block("heading", _t("portfolio", lang)), Block("figures", figures=[
        (_t(total_key, lang), f(state_total(atlas, y))),
        (_t("brief_cluster_employment", lang), f(p["total_employment"])),
        (_t("agglomerations", lang), f(p["agglomerations"])),
        (_t("covered", lang), f(p["covered"])),
        (_t("gap", lang), f(by["gap"]["cells"])),
        (_t("covered_share", lang), format_percent_share(p["covered_share"] or 0, lang, 0))])]
    # the state's clusters in one portfolio chart, the largest labelled
    clusters = cov[cov["status"].isin(["covered", "gap", "emerging"])]
    labelled = clusters.sort_values("employment", ascending=False).head(_LABELLED)
    labels = {(str(r.region), str(r.category)):
              f"{atlas.regions[str(r.region)].abbreviation or str(r.region_name)} · "
              f"{cats[str(r.category)]}" for r in labelled.itertuples()}
    points = portfolio_points(atlas, y, clusters, labels)
    if points:
        blocks += [Block("heading", _t("brief_portfolio", lang)),
                   Block("chart", chart=_portfolio_chart(
                       atlas, lang, y, _t("brief_portfolio_title", lang,
                                          start=atlas.years[0], end=y), points)),
                   Block("note", _t("brief_portfolio_state_note", lang, end=y))]
    blocks += [Block("heading", _t("brief_by_category", lang)),
               Block("table", columns=[_t("category", lang), _t("employment", lang),
                                       _t("agglomerations", lang), _t("covered", lang),
                                       _t("gap", lang), _t("initiatives", lang)],
                     rows=[[cats[c["category"]], f(c["employment"]), f(c["agglomerations"]),
                            f(c["covered"]), f(c["gaps"]), f(len(c["initiatives"]))]
                           for c in p["categories"]])]
    regions = sorted(str(r) for r in cov["region"].unique())
    short = {r: (atlas.regions[r].abbreviation or atlas.regions[r].display_name[:6])
             for r in regions}
    codes = [c.code for c in atlas.categories.categories]
    lookup = {(str(r.region), str(r.category)): str(r.status) for r in cov.itertuples()}
    blocks += [Block("heading", _t("matrix", lang)), Block("chart", chart=Chart(
        "grid", _t("matrix", lang), {
            "rows": [cats[c] for c in codes], "columns": [short[r] for r in regions],
            "statuses": [[lookup.get((r, c), "none") for r in regions] for c in codes],
            "legend": {k: _t(k, lang) for k in STATUSES}},
        width=7.0, height=3.6))]
    blocks += [Block("heading", _t("gaps", lang)),
               Block("table", columns=[_t("district", lang), _t("category", lang), "LQ",
                                       _t("employment", lang)],
                     rows=[[g["region_name"], cats[g["category"]], f(g["lq"], 2),
                            f(g["employment"])] for g in p["gaps"][:15]])]
    blocks += [Block("heading", _t("all_initiatives", lang)),
               Block("table", columns=["Initiative", _t("category", lang), _t("seat", lang)],
                     rows=[[i.name, ", ".join(cats.get(c, c) for c in i.categories),
                            seat_text(i.seat_town, _display_name(atlas, i.seat_region))]
                           for i in sorted(atlas.shown(ANONYMOUS),
                                                         key=lambda i: i.name.lower())
                           if i.kind == "initiative"])]
    peers = registry.benchmark_inputs()
    ranked = []
    for record in atlas.shown(ANONYMOUS):
        if any(r["initiative_id"] == record.id for r in peers[0]):
            try:  # only initiatives whose KPIs are public: a briefing is handed out
                b = initiative_benchmark(atlas, registry, record.id, peers=peers)
            except NotFoundError:
                continue
            if b.get("composite") is not None:
                ranked.append((b["composite"], record.name, b["year"]))
    blocks.append(Block("heading", _t("top", lang)))
    if ranked:
        blocks.append(Block("table", columns=["Initiative", _t("composite", lang),
                                              _t("year", lang)],
                            rows=[[n, f(c, 0), y_] for c, n, y_ in sorted(ranked,
                                                                          reverse=True)[:10]]))
    else:
        blocks.append(Block("text", _t("no_top", lang)))
    common = _common(atlas, lang, y)
    return Briefing(kind="state", title=_t("state_title", lang, name=name),
                    subtitle=_t("state_sub", lang, year=y),
                    blocks=blocks + _footer(atlas, lang, common, y, area=name), **common)


def _display_name(atlas: Atlas, code: str | None) -> str | None:
    return atlas.regions[code].display_name if code and code in atlas.regions else None


def build(atlas: Atlas, registry: Any, kind: str, target: str | None, *, lang: str = "de",
          year: int | None = None, scope: str | None = None,
          reference: str | None = None) -> Briefing:
    """``kind`` district (``target`` a region code), initiative (an id) or state (the
    portfolio of the ``scope``), with the LQ against ``reference``
    (:meth:`Atlas.view`); the briefing states the reference and the comparison set."""
    if lang not in ("de", "en"):
        raise InputError(f"--lang {lang!r}: expected de or en")
    if kind == "district":
        if not target:
            raise InputError("brief district needs a region code")
        from clusteratlas.service.regions import region_view

        view = region_view(atlas, target, scope=scope, reference=reference)
        return _stated(district_briefing(view, target, lang=lang, year=year,
                                         registry=registry), view, lang)
    view = atlas.view(scope, reference)
    if kind == "initiative":
        if not target:
            raise InputError("brief initiative needs an initiative id")
        return _stated(initiative_briefing(view, registry, target, lang=lang), view, lang)
    if kind == "state":
        return _stated(state_briefing(view, registry, lang=lang, year=year), view, lang)
    raise InputError(f"brief {kind!r}: expected district, initiative or state")


def _stated(briefing: Briefing, atlas: Atlas, lang: str) -> Briefing:
    """The briefing with a note of its scope, LQ reference and comparison set, after
    its methods (at the end where it has none)."""
    if atlas.choice is None:
        return briefing
    c = atlas.choice
    words = [_t("reference_line", lang, name=c.reference.display_name),
             _t(f"comparison_{c.comparison}", lang, n=c.compared, name=c.scope.display_name)]
    if atlas.rule_notes.get("strong_without_establishments"):
        words.append(_t("strong_without_establishments", lang))
    note = Block("note", ". ".join(w.rstrip(".") for w in words) + ".")
    blocks = list(briefing.blocks)
    at = next((i + 2 for i, b in enumerate(blocks)
               if b.kind == "heading" and b.text == _t("methods", lang)), len(blocks))
    return replace(briefing, blocks=[*blocks[:at], note, *blocks[at:]])
