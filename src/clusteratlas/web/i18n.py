"""Interface strings in German (default) and English."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["STRINGS", "translator"]

STRINGS: dict[str, dict[str, str]] = {
    "title": {"de": "Clusteratlas", "en": "Cluster Atlas"},
    "tagline": {"de": "Cluster und Clusterinitiativen in den Regionen",
                "en": "Clusters and cluster initiatives in the regions"},
    "synthetic": {"de": "Synthetische Demodaten – erfundene Zahlen, keine amtliche Statistik",
                  "en": "Synthetic demo data – invented numbers, not official statistics"},
    "state_map": {"de": "Karte", "en": "Map"},
    "category": {"de": "Clusterkategorie", "en": "Cluster category"},
    "year": {"de": "Jahr", "en": "Year"},
    "show": {"de": "Anzeigen", "en": "Show"},
    "lq_title": {"de": "Lokalisationsquotient (LQ) gegenüber dem Landesdurchschnitt",
                 "en": "Location quotient (LQ) against the state average"},
    "lq_explain": {"de": "LQ = Anteil der Kategorie an der Beschäftigung des Kreises, geteilt durch ihren Anteil im Land. Über 1: überdurchschnittlich spezialisiert.",
                   "en": "LQ = the category's share of the district's employment divided by its share in the state. Above 1: more specialised than average."},
    "schematic": {"de": "Schematische Kachelkarte: ein gleich großes Sechseck je Kreis, nahe seiner Lage – keine amtlichen Grenzen.",
                  "en": "Schematic tile map: one equal hexagon per district, placed near its location – not official boundaries."},
    "boundaries": {"de": "Amtliche Grenzen", "en": "Official boundaries"},
    "legend": {"de": "Legende", "en": "Legend"},
    "no_data": {"de": "keine Daten / geheim", "en": "no data / suppressed"},
    "district": {"de": "Kreis", "en": "District"},
    "employment": {"de": "Beschäftigte", "en": "Employees"},
    "share_of_region": {"de": "Anteil am Kreis", "en": "Share of district"},
    "share_of_category": {"de": "Anteil am Land", "en": "Share of state"},
    "establishments": {"de": "Betriebe", "en": "Establishments"},
    "change": {"de": "Veränderung seit", "en": "Change since"},
    "initiatives_here": {"de": "Clusterinitiativen in diesem Kreis", "en": "Cluster initiatives serving this district"},
    "statewide": {"de": "Landesweite Netzwerke", "en": "Statewide networks"},
    "none_here": {"de": "Keine Clusterinitiative im Register für diesen Kreis.",
                  "en": "No cluster initiative in the registry serves this district."},
    "top_categories": {"de": "Stärkste Clusterkategorien", "en": "Strongest cluster categories"},
    "by_lq": {"de": "nach LQ", "en": "by LQ"},
    "all_categories": {"de": "Alle Clusterkategorien", "en": "All cluster categories"},
    "total_employment": {"de": "Beschäftigte insgesamt", "en": "Total employees"},
    "sources": {"de": "Quellen und Lizenzen", "en": "Sources and licences"},
    "json": {"de": "Als JSON", "en": "As JSON"},
    "back_to_map": {"de": "Zur Karte", "en": "Back to the map"},
    "suppressed_cells": {"de": "geheime Zellen", "en": "suppressed cells"},
    "works_on": {"de": "arbeitet an", "en": "works on"},
    "gap": {"de": "ohne Initiative", "en": "no initiative"},
    "covered_by": {"de": "Initiative", "en": "Initiative"},
    "members": {"de": "Mitglieder", "en": "Members"},
    "managed_by": {"de": "Management", "en": "Managed by"},
    "founded": {"de": "Gegründet", "en": "Founded"},
    "source_links": {"de": "Quellen", "en": "Sources"},
    "error": {"de": "Fehler", "en": "Error"},
    "regierungsbezirk": {"de": "Regierungsbezirk", "en": "Administrative region"},
    "planning_region": {"de": "Region", "en": "Planning region"},
    "population": {"de": "Einwohner (31.12.2018)", "en": "Population (31 Dec 2018)"},
    "language": {"de": "English", "en": "Deutsch"},
    "stars": {"de": "Sterne", "en": "Stars"},
    "stars_help": {"de": "Sterne nach European Cluster Observatory: Größe, Spezialisierung (LQ ≥ 2), Fokus",
                   "en": "European Cluster Observatory stars: size, specialisation (LQ ≥ 2), focus"},
    "strong": {"de": "Starkes Cluster", "en": "Strong cluster"},
    "skip": {"de": "Zum Inhalt springen", "en": "Skip to content"},
}


def translator(lang: str) -> Callable[[str], str]:
    lang = lang if lang in ("de", "en") else "de"

    def t(key: str) -> str:
        entry = STRINGS.get(key)
        return entry[lang] if entry else key

    return t
