"""Briefings for decision makers: a district, an initiative or the state's portfolio.

The builders gather the same numbers the pages and the API show (atlas snapshot,
registry, the use cases) into a :class:`Briefing`: what a briefing says, independent of
how it is printed.  Its charts are specs of plain data (values and statuses, no
colours); the renderers in :mod:`clusteratlas.reports` draw and print it as PDF or
HTML.  Only public registry fields appear: a briefing is made to be handed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clusteratlas.errors import ClusteratlasError, InputError, NotFoundError
from clusteratlas.registry.auth import ANONYMOUS
from clusteratlas.service import explore
from clusteratlas.service.atlas import Atlas
from clusteratlas.service.benchmarks import derived_indicators, initiative_benchmark
from clusteratlas.service.coverage import STATUSES, coverage, portfolio
from clusteratlas.service.diversification import opportunities
from clusteratlas.service.impact import impact as impact_of
from clusteratlas.service.maps import state_map
from clusteratlas.service.regions import neighbours, region_profile

__all__ = ["Block", "Briefing", "Chart", "build", "district_briefing", "fmt_number",
           "initiative_briefing", "state_briefing"]


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
    """A number as the language writes it: 45.018 and 1,77 in German, 45,018 and 1.77
    in English; – for missing."""
    if value is None:
        return "–"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v != v:  # NaN
        return "–"
    text = f"{v:,.{digits}f}"
    if lang == "de":
        text = text.replace(",", "§").replace(".", ",").replace("§", ".")
    return text


T: dict[str, dict[str, str]] = {
    "district_title": {"de": "Clusterprofil {name}", "en": "Cluster profile: {name}"},
    "district_sub": {"de": "Stärken, Entwicklung, Initiativen, Lücken und Chancen – Stand {year}",
                     "en": "Strengths, development, initiatives, gaps and options – {year}"},
    "headline": {"de": "Auf einen Blick", "en": "At a glance"},
    "employment": {"de": "Beschäftigte", "en": "Employees"},
    "population": {"de": "Einwohner", "en": "Population"},
    "strongest": {"de": "Stärkste Clusterkategorien", "en": "Strongest cluster categories"},
    "category": {"de": "Kategorie", "en": "Category"},
    "stars": {"de": "Sterne", "en": "Stars"},
    "strong": {"de": "Starkes Cluster", "en": "Strong cluster"},
    "yes": {"de": "ja", "en": "yes"},
    "map": {"de": "Der Kreis und seine Nachbarn", "en": "The district and its neighbours"},
    "map_caption": {"de": "Farbe: LQ der Kategorie {cat}; schwarz umrandet: {name}.",
                    "en": "Colour: LQ of {cat}; outlined in black: {name}."},
    "trends": {"de": "Entwicklung", "en": "Development"},
    "coverage": {"de": "Cluster und Initiativen", "en": "Clusters and initiatives"},
    "status": {"de": "Status", "en": "Status"},
    "initiatives": {"de": "Initiativen im Kreis", "en": "Initiatives serving the district"},
    "none_here": {"de": "Keine Clusterinitiative im Register betreut diesen Kreis.",
                  "en": "No cluster initiative in the registry serves this district."},
    "options": {"de": "Wohin sich der Kreis entwickeln kann",
                "en": "What the district could grow into"},
    "options_note": {"de": "Branchen mit RCA < 1, die mit den Stärken des Kreises verwandt sind "
                             "(Verwandtschaftsdichte aus dem gemeinsamen Auftreten über alle Kreise).",
                     "en": "Industries with RCA < 1 related to the district's strengths "
                           "(relatedness density, from co-location across all districts)."},
    "industry": {"de": "Branche", "en": "Industry"},
    "density": {"de": "Dichte", "en": "Density"},
    "state_compare": {"de": "Vergleich mit dem Land", "en": "Compared with the state"},
    "share_here": {"de": "Anteil im Kreis", "en": "Share in the district"},
    "share_state": {"de": "Anteil im Land", "en": "Share in the state"},
    "methods": {"de": "Methoden", "en": "Methods"},
    "methods_text": {
        "de": "LQ = Anteil der Kategorie an der Beschäftigung des Kreises geteilt durch ihren "
              "Anteil im Land. Sterne nach dem European Cluster Observatory (Größe, LQ ≥ 2, "
              "Fokus); starkes Cluster nach der Regel der US Cluster Mapping (LQ ≥ 75. "
              "Perzentil und ≥ 1, Beschäftigte und Betriebe über dem 25. Perzentil). Eine "
              "Lücke ist ein starkes Cluster ohne Initiative, deren Kategorien und betreute "
              "Kreise es abdecken. Einzelheiten: docs/methods.md und docs/alignment.md.",
        "en": "LQ = the category's share of the district's employment divided by its share "
              "in the state. Stars after the European Cluster Observatory (size, LQ ≥ 2, "
              "focus); strong cluster by the US Cluster Mapping rule (LQ ≥ 75th percentile "
              "and ≥ 1, employment and establishments above the 25th percentile). A gap is a "
              "strong cluster without an initiative whose categories and districts cover it. "
              "Details: docs/methods.md and docs/alignment.md."},
    "sources": {"de": "Quellen und Lizenzen", "en": "Sources and licences"},
    "generated": {"de": "Erstellt am {date} mit Clusteratlas; Daten {vintage}.",
                  "en": "Generated on {date} by Clusteratlas; data {vintage}."},
    "synthetic": {"de": "SYNTHETISCHE DEMODATEN – keine amtliche Statistik",
                  "en": "SYNTHETIC DEMO DATA – not official statistics"},
    "initiative_title": {"de": "Initiativprofil {name}", "en": "Initiative profile: {name}"},
    "profile": {"de": "Profil", "en": "Profile"},
    "kpis": {"de": "Mitglieder und Kennzahlen", "en": "Members and KPIs"},
    "no_kpis": {"de": "Keine veröffentlichten Jahresberichte.",
                "en": "No published yearly reports."},
    "benchmark": {"de": "Im Vergleich mit anderen Initiativen",
                  "en": "Compared with other initiatives"},
    "impact": {"de": "Entwicklung der betreuten Cluster", "en": "How the covered clusters developed"},
    "cooperations": {"de": "Kooperationen", "en": "Cooperations"},
    "labels": {"de": "Auszeichnungen", "en": "Labels"},
    "state_title": {"de": "Clusterportfolio {name}", "en": "Cluster portfolio: {name}"},
    "state_sub": {"de": "Initiativen, Abdeckung, Lücken und Leistung – Stand {year}",
                  "en": "Initiatives, coverage, gaps and performance – {year}"},
    "portfolio": {"de": "Das Portfolio", "en": "The portfolio"},
    "covered_share": {"de": "Abgedeckter Anteil der Clusterbeschäftigung",
                      "en": "Covered share of cluster employment"},
    "gaps": {"de": "Lücken nach Beschäftigung", "en": "Gaps by employment"},
    "matrix": {"de": "Abdeckung: Kreise × Kategorien", "en": "Coverage: districts × categories"},
    "all_initiatives": {"de": "Alle Initiativen", "en": "All initiatives"},
    "top": {"de": "Spitzenreiter nach Kennzahlen", "en": "Top performers by KPIs"},
    "no_top": {"de": "Noch keine angenommenen Jahresberichte: keine Rangfolge.",
               "en": "No accepted yearly reports yet: no ranking."},
    "district": {"de": "Kreis", "en": "District"},
    "seat": {"de": "Sitz", "en": "Seat"},
    "members": {"de": "Mitglieder", "en": "Members"},
    "events": {"de": "Veranstaltungen", "en": "Events"},
    "agglomerations": {"de": "Cluster", "en": "Clusters"},
    "covered": {"de": "abgedeckt", "en": "covered"},
    "gap": {"de": "Lücke", "en": "gap"},
    "emerging": {"de": "im Entstehen", "en": "emerging"},
    "no_base": {"de": "Initiative ohne Clusterbasis", "en": "initiative without base"},
    "none": {"de": "kein Cluster", "en": "no cluster"},
    "composite": {"de": "Gesamtwert", "en": "Composite"},
}


def _formatter(lang: str) -> Any:
    def f(value: Any, digits: int = 0) -> str:
        return fmt_number(value, lang, digits)

    return f


def _t(key: str, lang: str, **kw: Any) -> str:
    return T[key][lang].format(**kw)


def _common(atlas: Atlas, lang: str, year: int) -> dict[str, Any]:
    meta = atlas.meta()
    panel = atlas.panel_dataset
    vintage = f"{panel.title}, {atlas.years[0]}–{atlas.years[-1]}"
    sources = [f"{d['title']} – {d.get('attribution') or ''} ({d.get('licence') or ''}). "
               f"{d.get('source') or ''}".strip() for d in meta["provenance"]]
    sources.append("Cluster initiative registry: public web pages; each initiative names "
                   "its sources.")
    return {"lang": lang, "synthetic": bool(meta["synthetic"]),
            "synthetic_notice": _t("synthetic", lang) if meta["synthetic"] else "",
            "generated": date.today().isoformat(), "vintage": vintage, "sources": sources}


def _footer(lang: str, common: dict[str, Any]) -> list[Block]:
    return [Block("heading", _t("sources", lang)),
            *[Block("note", s) for s in common["sources"]],
            Block("note", _t("generated", lang, date=common["generated"],
                             vintage=common["vintage"]))]


def district_briefing(atlas: Atlas, code: str, *, lang: str = "de",
                      year: int | None = None, registry: Any = None) -> Briefing:
    profile = region_profile(atlas, code, year=year, lang=lang)
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
    # the district among its neighbours, coloured by its strongest category's LQ
    near = neighbours(atlas, rcode, n=8)
    if top:
        lead = top[0]["category"]
        mapped = state_map(atlas, category=lead, year=y, lang=lang)
        blocks += [Block("heading", _t("map", lang)), Block("chart", chart=Chart(
            "map", f"LQ – {cats[lead]}", {
                "geometries": atlas.geometries, "indicator": "lq",
                "values": {r["code"]: r["value"] for r in mapped["regions"]},
                "highlight": rcode, "focus": [rcode, *near],
                "labels": {r["code"]: r["abbreviation"] or r["name"][:3]
                           for r in mapped["regions"]},
                "geographic": atlas.layer != "schematic",
                "legend_title": "LQ"}, width=6.4, height=3.6)),
            Block("note", _t("map_caption", lang, cat=cats[lead], name=name))]
        series = explore.trends(atlas, rcode, [c["category"] for c in top[:3]])
        years = [p["year"] for p in series[0]["points"]]
        values = {cats[s["category"]]: [p["employment"] for p in s["points"]] for s in series}
        blocks += [Block("heading", _t("trends", lang)),
                   Block("chart", chart=Chart("lines", f"{_t('employment', lang)} – {name}",
                                              {"x": years, "series": values})),
                   Block("table", columns=["Jahr" if lang == "de" else "Year", *values],
                         rows=[[str(x), *[f(vs[n]) for vs in values.values()]]
                               for n, x in enumerate(years)])]
    cov = coverage(atlas, year=y)
    mine = cov[(cov["region"] == rcode) & (cov["status"] != "none")].sort_values(
        "employment", ascending=False)
    blocks += [Block("heading", _t("coverage", lang)),
               Block("table", columns=[_t("category", lang), "LQ", _t("employment", lang),
                                       _t("status", lang), "Initiativen" if lang == "de"
                                       else "Initiatives"],
                     rows=[[cats[r.category], f(r.lq, 2), f(r.employment), _t(r.status, lang),
                            r.initiatives.replace(";", ", ")] for r in mine.itertuples()])]
    blocks.append(Block("heading", _t("initiatives", lang)))
    if profile["initiatives"]:
        rows = []
        for i in profile["initiatives"]:
            latest = _latest_public_report(registry, i["id"])
            kpis = (f"{_t('members', lang)} {f(_members(latest))}, {_t('events', lang)} "
                    f"{f(latest.get('events'))} ({latest['year']})" if latest else "–")
            rows.append([i["name"], ", ".join(c["name"] for c in i["categories"]),
                         i.get("members") or "–", kpis])
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
    total = profile["total_employment"] or 0
    state = atlas.indicators[atlas.indicators["year"] == y]
    state_total = state.groupby("region")["region_total"].first().sum()
    blocks += [Block("heading", _t("state_compare", lang)),
               Block("table", columns=[_t("category", lang), _t("share_here", lang),
                                       _t("share_state", lang), "LQ"],
                     rows=[[c["name"], f(100 * (c["employment"] or 0) / total, 1) + " %",
                            f(100 * state[state["category"] == c["category"]]["employment"]
                              .sum() / state_total, 1) + " %", f(c["lq"], 2)]
                           for c in top]),
               Block("heading", _t("methods", lang)), Block("text", _t("methods_text", lang))]
    common = _common(atlas, lang, y)
    return Briefing(kind="district", title=_t("district_title", lang, name=name),
                    subtitle=_t("district_sub", lang, year=y), blocks=blocks + _footer(lang, common),
                    **common)


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


def initiative_briefing(atlas: Atlas, registry: Any, initiative_id: str, *,
                        lang: str = "de") -> Briefing:
    item = registry.get(initiative_id, ANONYMOUS)
    cats = {c.code: c.name(lang) for c in atlas.categories.categories}
    f = _formatter(lang)
    names = {c: atlas.regions[c].display_name for c in atlas.regions}
    blocks = [Block("heading", _t("profile", lang)), Block("figures", figures=[
        ("Sektor" if lang == "de" else "Sector", item["sector"] or "–"),
        (_t("category", lang), ", ".join(cats.get(c, c) for c in item["categories"]) or "–"),
        (_t("seat", lang), f"{item['seat_town']} ({names.get(item['seat_region'] or '', '–')})"),
        (_t("district", lang), ", ".join(names.get(c, c) for c in item["regions_served"]) or "–"),
        ("Träger" if lang == "de" else "Managed by", item["managing_organisation"] or "–"),
        ("Gegründet" if lang == "de" else "Founded", str(item["founded_on"] or item["founded"]
                                                         or "–")),
        (_t("members", lang), item.get("members_text") or "–")])]
    for fact in item.get("facts", []):
        blocks.append(Block("note", fact["text"]))
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
                       Block("table", columns=["", "Wert" if lang == "de" else "Value",
                                               "Perzentil" if lang == "de" else "Percentile"],
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
            blocks.append(Block("text", f"DiD: {f(100 * did['effect'], 1)} % "
                                        f"({f(100 * did['ci_low'], 1)} … "
                                        f"{f(100 * did['ci_high'], 1)} %)"))
        else:
            blocks.append(Block("note", impact["status"]))
        blocks.append(Block("note", impact["caveat"]))
    if item.get("cooperations"):
        blocks += [Block("heading", _t("cooperations", lang)),
                   *[Block("text", f"{c['partner_name'] or c['partner_initiative_id'] or c['partner_region']}"
                                   f"{' – ' + c['kind'] if c['kind'] else ''}")
                     for c in item["cooperations"]]]
    if item.get("labels"):
        blocks += [Block("heading", _t("labels", lang)),
                   Block("table", columns=["Label", "ab" if lang == "de" else "from",
                                           "bis" if lang == "de" else "until"],
                         rows=[[x["label"], x["valid_from"] or "–", x["valid_until"] or "–"]
                               for x in item["labels"]])]
    common = _common(atlas, lang, atlas.years[-1])
    common["sources"] = [s["url"] for s in item.get("sources", [])] + common["sources"]
    return Briefing(kind="initiative", title=_t("initiative_title", lang, name=item["name"]),
                    subtitle=item["sector"], blocks=blocks + _footer(lang, common), **common)


def state_briefing(atlas: Atlas, registry: Any, *, lang: str = "de",
                   year: int | None = None) -> Briefing:
    y = atlas.year_or_latest(year)
    p = portfolio(atlas, year=y)
    cov = coverage(atlas, year=y)
    cats = {c.code: c.name(lang) for c in atlas.categories.categories}
    f = _formatter(lang)
    state = next((r for r in atlas.regions.values() if r.level == "state"), None)
    name = state.display_name if state else "—"
    by = p["by_status"]
    blocks = [Block("heading", _t("portfolio", lang)), Block("figures", figures=[
        (_t("employment", lang), f(p["total_employment"])),
        (_t("agglomerations", lang), f(by["covered"]["cells"] + by["gap"]["cells"])),
        (_t("covered", lang), f(by["covered"]["cells"])),
        (_t("gap", lang), f(by["gap"]["cells"])),
        (_t("covered_share", lang), f(100 * (p["covered_share"] or 0), 0) + " %")]),
        Block("table", columns=[_t("category", lang), _t("employment", lang),
                                _t("agglomerations", lang), _t("covered", lang),
                                _t("gap", lang), "Initiativen" if lang == "de" else "Initiatives"],
              rows=[[cats[c["category"]], f(c["employment"]), c["agglomerations"], c["covered"],
                     c["gaps"], len(c["initiatives"])] for c in p["categories"]])]
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
                            i.seat_town] for i in sorted(atlas.initiatives,
                                                         key=lambda i: i.name.lower())
                           if i.kind == "initiative"])]
    peers = registry.benchmark_inputs()
    ranked = []
    for record in atlas.initiatives:
        if any(r["initiative_id"] == record.id for r in peers[0]):
            try:  # only initiatives whose KPIs are public: a briefing is handed out
                b = initiative_benchmark(atlas, registry, record.id, peers=peers)
            except NotFoundError:
                continue
            if b.get("composite") is not None:
                ranked.append((b["composite"], record.name, b["year"]))
    blocks.append(Block("heading", _t("top", lang)))
    if ranked:
        blocks.append(Block("table", columns=["Initiative", _t("composite", lang), "Jahr"
                                              if lang == "de" else "Year"],
                            rows=[[n, f(c, 0), y_] for c, n, y_ in sorted(ranked,
                                                                          reverse=True)[:10]]))
    else:
        blocks.append(Block("text", _t("no_top", lang)))
    blocks += [Block("heading", _t("methods", lang)), Block("text", _t("methods_text", lang))]
    common = _common(atlas, lang, y)
    return Briefing(kind="state", title=_t("state_title", lang, name=name),
                    subtitle=_t("state_sub", lang, year=y), blocks=blocks + _footer(lang, common),
                    **common)


def build(atlas: Atlas, registry: Any, kind: str, target: str | None, *, lang: str = "de",
          year: int | None = None) -> Briefing:
    """``kind`` district (``target`` a region code), initiative (an id) or state."""
    if lang not in ("de", "en"):
        raise InputError(f"--lang {lang!r}: expected de or en")
    if kind == "district":
        if not target:
            raise InputError("brief district needs a region code")
        return district_briefing(atlas, target, lang=lang, year=year, registry=registry)
    if kind == "initiative":
        if not target:
            raise InputError("brief initiative needs an initiative id")
        return initiative_briefing(atlas, registry, target, lang=lang)
    if kind == "state":
        return state_briefing(atlas, registry, lang=lang, year=year)
    raise InputError(f"brief {kind!r}: expected district, initiative or state")
