"""The one catalogue of interface strings: pages, API messages and briefings, in German
(the default) and English.  A key means one thing and has one wording per language;
``{name}`` fields are filled by :func:`clusteratlas.i18n.text`."""

from __future__ import annotations

__all__ = ["STRINGS"]

STRINGS: dict[str, dict[str, str]] = {
    "title": {"de": "Clusteratlas", "en": "Cluster Atlas"},
    "tagline": {
        "de": "Cluster und Clusterinitiativen in den Regionen",
        "en": "Clusters and cluster initiatives in the regions",
    },
    "synthetic": {
        "de": "Synthetische Demodaten – erfundene Zahlen, keine amtliche Statistik",
        "en": "Synthetic demo data – invented numbers, not official statistics",
    },
    "state_map": {"de": "Karte", "en": "Map"},
    "category": {"de": "Clusterkategorie", "en": "Cluster category"},
    "year": {"de": "Jahr", "en": "Year"},
    "show": {"de": "Anzeigen", "en": "Show"},
    "lq_title": {
        "de": "Lokalisationsquotient (LQ) gegenüber dem Landesdurchschnitt",
        "en": "Location quotient (LQ) against the state average",
    },
    "lq_explain": {
        "de": ("LQ = Anteil der Kategorie an der Beschäftigung des Kreises, geteilt durch ihren "
               "Anteil im Land. Über 1: überdurchschnittlich spezialisiert."),
        "en": ("LQ = the category's share of the district's employment divided by its share in the"
               " state. Above 1: more specialised than average."),
    },
    "schematic": {
        "de": ("Schematische Kachelkarte: ein gleich großes Sechseck je Kreis, nahe seiner Lage – "
               "keine amtlichen Grenzen."),
        "en": ("Schematic tile map: one equal hexagon per district, placed near its location – not"
               " official boundaries."),
    },
    "boundaries": {"de": "Amtliche Grenzen", "en": "Official boundaries"},
    "legend": {"de": "Legende", "en": "Legend"},
    "no_data": {"de": "keine Daten / geheim", "en": "no data / suppressed"},
    "district": {"de": "Kreis", "en": "District"},
    "employment": {"de": "Beschäftigte", "en": "Employees"},
    "share_of_region": {"de": "Anteil am Kreis", "en": "Share of district"},
    "share_of_category": {"de": "Anteil am Land", "en": "Share of state"},
    "establishments": {"de": "Betriebe", "en": "Establishments"},
    "change": {"de": "Veränderung seit", "en": "Change since"},
    "initiatives_here": {
        "de": "Clusterinitiativen in diesem Kreis",
        "en": "Cluster initiatives serving this district",
    },
    "statewide": {"de": "Landesweite Netzwerke", "en": "Statewide networks"},
    "none_here": {
        "de": "Keine Clusterinitiative im Register betreut diesen Kreis.",
        "en": "No cluster initiative in the registry serves this district.",
    },
    "top_categories": {"de": "Stärkste Clusterkategorien", "en": "Strongest cluster categories"},
    "by_lq": {"de": "nach LQ", "en": "by LQ"},
    "all_categories": {"de": "Alle Clusterkategorien", "en": "All cluster categories"},
    "total_employment": {"de": "Beschäftigte insgesamt", "en": "Total employees"},
    "sources": {"de": "Quellen und Lizenzen", "en": "Sources and licences"},
    "json": {"de": "Als JSON", "en": "As JSON"},
    "back_to_map": {"de": "Zur Karte", "en": "Back to the map"},
    "suppressed_cells": {"de": "geheime Zellen", "en": "suppressed cells"},
    "works_on": {"de": "arbeitet an", "en": "works on"},
    "gap": {"de": "Lücke", "en": "gap"},
    "covered_by": {"de": "Initiative", "en": "Initiative"},
    "members": {"de": "Mitglieder", "en": "Members"},
    "managed_by": {"de": "Management", "en": "Managed by"},
    "founded": {"de": "Gegründet", "en": "Founded"},
    "source_links": {"de": "Quellen", "en": "Sources"},
    "error": {"de": "Fehler", "en": "Error"},
    "regierungsbezirk": {"de": "Regierungsbezirk", "en": "Administrative region"},
    "planning_region": {"de": "Region", "en": "Planning region"},
    "population": {"de": "Einwohner (31.12.2020)", "en": "Population (31 Dec 2020)"},
    "language": {"de": "English", "en": "Deutsch"},
    "stars": {"de": "Sterne", "en": "Stars"},
    "stars_help": {
        "de": "Sterne nach European Cluster Observatory: Größe, Spezialisierung (LQ ≥ 2), Fokus",
        "en": "European Cluster Observatory stars: size, specialisation (LQ ≥ 2), focus",
    },
    "strong": {"de": "Starkes Cluster", "en": "Strong cluster"},
    "skip": {"de": "Zum Inhalt springen", "en": "Skip to content"},
    "menu": {"de": "Menü", "en": "Menu"},
    "main_nav": {"de": "Hauptnavigation", "en": "Main navigation"},
    "site_search": {"de": "Suche im Atlas", "en": "Search the atlas"},
    "zoom": {"de": "Karte zoomen", "en": "Zoom the map"},
    "zoom_in": {"de": "Hineinzoomen", "en": "Zoom in"},
    "zoom_out": {"de": "Herauszoomen", "en": "Zoom out"},
    "zoom_reset": {"de": "Ausschnitt zurücksetzen", "en": "Reset the view"},
    "table_scroll": {"de": "Seitlich verschiebbar", "en": "Scrolls sideways"},
    "initiatives": {"de": "Clusterinitiativen", "en": "Cluster initiatives"},
    "registry_explain": {
        "de": ("Das Register der Clusterinitiativen: Organisationen, die Netzwerke von Firmen und "
               "Forschung managen. Angaben aus öffentlichen Quellen (je Initiative genannt) und "
               "aus den Jahresberichten der Initiativen."),
        "en": ("The register of cluster initiatives: organisations that manage networks of firms "
               "and research bodies. Facts from public sources (named for each initiative) and "
               "from the initiatives' yearly reports."),
    },
    "search": {"de": "Suche", "en": "Search"},
    "region_served": {"de": "Betreute Kreise", "en": "Districts served"},
    "label": {"de": "Label", "en": "Label"},
    "status": {"de": "Status", "en": "Status"},
    "status_active": {"de": "aktiv", "en": "active"},
    "status_merged": {"de": "fusioniert", "en": "merged"},
    "status_closed": {"de": "aufgelöst", "en": "closed"},
    "name": {"de": "Name", "en": "Name"},
    "sector": {"de": "Branche / Technologiefeld", "en": "Sector / technology field"},
    "seat": {"de": "Sitz", "en": "Seat"},
    "agency": {"de": "Agentur", "en": "agency"},
    "agency_note": {
        "de": "Landesagentur für Clusterpolitik – keine Clusterinitiative",
        "en": "State cluster-policy agency – not a cluster initiative",
    },
    "nothing_found": {"de": "Keine Initiative gefunden.", "en": "No initiative found."},
    "next_page": {"de": "Weitere", "en": "More"},
    "archived": {
        "de": "Archiviert: nur für Agentur und Analyse sichtbar.",
        "en": "Archived: visible to the agency and analysts only.",
    },
    "edit_profile": {"de": "Profil bearbeiten", "en": "Edit profile"},
    "new_report": {"de": "Neuer Jahresbericht", "en": "New yearly report"},
    "history": {"de": "Änderungsverlauf", "en": "History"},
    "successor": {"de": "Nachfolger", "en": "successor"},
    "staff": {"de": "Personal", "en": "Staff"},
    "goals": {"de": "Ziele", "en": "Goals"},
    "services": {"de": "Leistungen", "en": "Services"},
    "facts": {"de": "Fakten", "en": "Facts"},
    "source": {"de": "Quelle", "en": "source"},
    "labels_title": {"de": "Auszeichnungen", "en": "Labels"},
    "since": {"de": "seit", "en": "since"},
    "until": {"de": "bis", "en": "until"},
    "projects": {"de": "Projekte", "en": "Projects"},
    "funding": {"de": "Förderung", "en": "Funding"},
    "cooperations": {"de": "Kooperationen", "en": "Cooperations"},
    "kpi_reports": {"de": "Jahresberichte (Kennzahlen)", "en": "Yearly reports (KPIs)"},
    "kpi_report": {"de": "Jahresbericht", "en": "Yearly report"},
    "events": {"de": "Veranstaltungen", "en": "Events"},
    "participants": {"de": "Teilnehmende", "en": "Participants"},
    "collab_projects": {
        "de": "Kooperationsprojekte (≥ 3 Firmen)",
        "en": "Collaboration projects (≥ 3 firms)",
    },
    "staff_fte": {"de": "Personal (VZÄ)", "en": "Staff (FTE)"},
    "budget": {"de": "Budget (€)", "en": "Budget (€)"},
    "report_new": {"de": "neu", "en": "new"},
    "report_draft": {"de": "Entwurf", "en": "draft"},
    "report_submitted": {"de": "eingereicht", "en": "submitted"},
    "report_accepted": {"de": "angenommen", "en": "accepted"},
    "no_reports": {"de": "Noch keine Jahresberichte.", "en": "No yearly reports yet."},
    "not_public": {"de": "Nicht öffentlich", "en": "Not public"},
    "group_facts": {"de": "Fakten und Quellen", "en": "facts and sources"},
    "group_members": {"de": "Mitgliederliste", "en": "member list"},
    "group_kpis": {"de": "Kennzahlen", "en": "KPIs"},
    "group_budget": {"de": "Budget", "en": "budget"},
    "group_projects": {"de": "Projekte", "en": "projects"},
    "group_cooperations": {"de": "Kooperationen", "en": "cooperations"},
    "group_labels": {"de": "Auszeichnungen", "en": "labels"},
    "accessed": {"de": "abgerufen", "en": "accessed"},
    "when": {"de": "Wann", "en": "When"},
    "who": {"de": "Wer", "en": "Who"},
    "what": {"de": "Was", "en": "What"},
    "version": {"de": "Version", "en": "Version"},
    "state_after": {"de": "Stand danach", "en": "State after"},
    "restore_this": {"de": "Diesen Stand wiederherstellen", "en": "Restore this state"},
    "no_changes": {"de": "Noch keine Änderungen.", "en": "No changes yet."},
    "public_groups": {"de": "Öffentlich sichtbar", "en": "Public"},
    "save": {"de": "Speichern", "en": "Save"},
    "save_draft": {"de": "Entwurf speichern", "en": "Save draft"},
    "submit_report": {"de": "Einreichen", "en": "Submit"},
    "reviewer_comment": {"de": "Kommentar der Agentur", "en": "Reviewer's comment"},
    "checks": {"de": "Prüfungen", "en": "Checks"},
    "submitted": {"de": "Eingereicht", "en": "Submitted"},
    "accept": {"de": "Annehmen", "en": "Accept"},
    "return": {"de": "Zurückgeben", "en": "Return"},
    "review_queue": {"de": "Prüfung", "en": "Review"},
    "queue_empty": {
        "de": "Keine Berichte warten auf Prüfung.",
        "en": "No report is waiting for review.",
    },
    "sign_in": {"de": "Anmelden", "en": "Sign in"},
    "login_accounts": {
        "de": ("Zugänge vergibt die Administration der Clusteragentur (Rolle Admin); "
               "eine Selbstregistrierung gibt es nicht."),
        "en": ("Accounts are given by the cluster agency's administrator (admin role); "
               "there is no self-registration."),
    },
    "sign_out": {"de": "Abmelden", "en": "Sign out"},
    "user_name": {"de": "Benutzername", "en": "User name"},
    "password": {"de": "Passwort", "en": "Password"},
    "users": {"de": "Benutzer", "en": "Users"},
    "role": {"de": "Rolle", "en": "Role"},
    "active": {"de": "Aktiv", "en": "Active"},
    "activate": {"de": "Aktivieren", "en": "Activate"},
    "deactivate": {"de": "Sperren", "en": "Deactivate"},
    "token_name": {"de": "Token-Name", "en": "token name"},
    "create_token": {"de": "API-Token", "en": "API token"},
    "token_once": {
        "de": "Neues API-Token (wird nur jetzt angezeigt)",
        "en": "New API token (shown only now)",
    },
    "add_user": {"de": "Benutzer anlegen", "en": "Add user"},
    "f_name": {"de": "Name", "en": "Name"},
    "f_short_name": {"de": "Kurzname", "en": "Short name"},
    "f_sector": {"de": "Branche / Technologiefelder", "en": "Sector / technology fields"},
    "f_seat_town": {"de": "Sitz (Ort)", "en": "Seat (town)"},
    "f_managing_organisation": {"de": "Trägerorganisation", "en": "Managing organisation"},
    "f_legal_form": {"de": "Rechtsform", "en": "Legal form"},
    "f_website": {"de": "Website", "en": "Website"},
    "f_founded_on": {"de": "Gründungsdatum", "en": "Founding date"},
    "f_status_since": {"de": "Status seit", "en": "Status since"},
    "f_successor_id": {"de": "Nachfolger (ID)", "en": "Successor (ID)"},
    "f_founding_occasion": {"de": "Gründungsanlass", "en": "Founding occasion"},
    "f_goals": {"de": "Ziele und Strategie", "en": "Goals and strategy"},
    "f_services": {"de": "Leistungen", "en": "Services"},
    "f_members_text": {"de": "Mitglieder (Text aus Quellen)", "en": "Members (as the sources say)"},
    "f_staff_text": {"de": "Personal (Text aus Quellen)", "en": "Staff (as the sources say)"},
    "k_members_sme": {"de": "Mitglieder: KMU", "en": "Members: SMEs"},
    "k_members_large": {"de": "Mitglieder: Großunternehmen", "en": "Members: large firms"},
    "k_members_research": {"de": "Mitglieder: Forschung", "en": "Members: research"},
    "k_members_education": {"de": "Mitglieder: Bildung", "en": "Members: education"},
    "k_members_public": {"de": "Mitglieder: öffentliche Stellen", "en": "Members: public bodies"},
    "k_members_other": {"de": "Mitglieder: sonstige", "en": "Members: other"},
    "k_members_active": {"de": "Aktive Mitglieder", "en": "Active members"},
    "k_active_definition": {"de": "Definition „aktiv“", "en": "Definition of 'active'"},
    "k_committed_partners": {"de": "Verbindliche Partner", "en": "Committed partners"},
    "k_staff_headcount": {"de": "Personal (Köpfe)", "en": "Staff (headcount)"},
    "k_staff_fte": {"de": "Personal (VZÄ)", "en": "Staff (FTE)"},
    "k_budget_eur": {"de": "Budget (€)", "en": "Budget (€)"},
    "k_public_cofunding_share": {
        "de": "Öffentliche Kofinanzierung (%)",
        "en": "Public co-funding (%)",
    },
    "k_events": {"de": "Veranstaltungen", "en": "Events"},
    "k_participants": {"de": "Teilnehmende", "en": "Participants"},
    "k_collaboration_projects": {
        "de": "Kooperationsprojekte mit ≥ 3 Firmen",
        "en": "Collaboration projects with ≥ 3 firms",
    },
    "k_funded_projects": {"de": "Geförderte Projekte", "en": "Funded projects"},
    "k_funded_volume_eur": {"de": "Fördervolumen (€)", "en": "Funded volume (€)"},
    "k_funding_sources": {"de": "Fördergeber", "en": "Funding sources"},
    "k_startups_supported": {"de": "Unterstützte Gründungen", "en": "Start-ups supported"},
    "k_services_used": {"de": "Genutzte Leistungen", "en": "Services used"},
    "k_jobs_reported": {"de": "Gemeldete Arbeitsplätze", "en": "Jobs reported"},
    "k_investment_reported_eur": {
        "de": "Gemeldete Investitionen (€)",
        "en": "Investment reported (€)",
    },
    "k_satisfaction": {"de": "Zufriedenheit (%)", "en": "Satisfaction (%)"},
    "indicator": {"de": "Kennzahl", "en": "Indicator"},
    "ind_lq": {"de": "Lokalisationsquotient (LQ)", "en": "Location quotient (LQ)"},
    "ind_employment": {"de": "Beschäftigte", "en": "Employees"},
    "ind_stars": {"de": "Sterne (Cluster-Observatorium)", "en": "Stars (Cluster Observatory)"},
    "ind_strong": {"de": "Starkes Cluster", "en": "Strong cluster"},
    "ind_growth": {"de": "Wachstum pro Jahr", "en": "Growth per year"},
    "ind_coverage": {"de": "Abdeckung durch Initiativen", "en": "Coverage by initiatives"},
    "status_covered": {"de": "abgedeckt", "en": "covered"},
    "status_gap": {
        "de": "Lücke (Cluster ohne Initiative)",
        "en": "gap (cluster without initiative)",
    },
    "status_emerging": {"de": "im Entstehen", "en": "emerging"},
    "status_no_base": {
        "de": "Initiative ohne Clusterbasis",
        "en": "initiative without cluster base",
    },
    "status_none": {"de": "kein Cluster", "en": "no cluster"},
    "per_year": {"de": "pro Jahr", "en": "a year"},
    "category_page": {"de": "Alles zu dieser Kategorie →", "en": "All about this category →"},
    "seat_marker": {"de": "Sitz einer Initiative", "en": "Seat of an initiative"},
    "download_csv": {"de": "Tabelle als CSV herunterladen", "en": "Download the table as CSV"},
    "coverage_title": {"de": "Cluster und Initiativen", "en": "Clusters and initiatives"},
    "gaps_here": {
        "de": "Starke Cluster ohne Initiative",
        "en": "Strong clusters without an initiative",
    },
    "no_gaps_here": {
        "de": "Jedes starke Cluster hier hat eine Initiative.",
        "en": "Every strong cluster here has an initiative.",
    },
    "trend_title": {"de": "Beschäftigung im Zeitverlauf", "en": "Employment over time"},
    "table_under_chart": {"de": "Die Werte der Grafik", "en": "The values in the chart"},
    "options_title": {
        "de": "Wohin sich der Kreis entwickeln kann",
        "en": "What the district could grow into",
    },
    "options_explain": {
        "de": ("Branchen, auf die der Kreis noch nicht spezialisiert ist, die aber mit seinen "
               "Stärken verwandt sind (Verwandtschaftsdichte; aus dem gemeinsamen Auftreten über "
               "alle Kreise)."),
        "en": ("Industries the district does not yet specialise in but which are related to its "
               "strengths (relatedness density, from co-location across all districts)."),
    },
    "industry": {"de": "Branche", "en": "Industry"},
    "density": {"de": "Dichte", "en": "Density"},
    "evidence": {"de": "Verwandte Stärken des Kreises", "en": "Related strengths of the district"},
    "neighbours_title": {"de": "Vergleich mit den Nachbarn", "en": "Compared with the neighbours"},
    "compare_all": {"de": "Alle Kategorien vergleichen", "en": "Compare all categories"},
    "gini": {"de": "Standort-Gini", "en": "Locational Gini"},
    "concentration_explain": {
        "de": ("Konzentration über die Kreise: 0 = wie die Gesamtbeschäftigung verteilt, näher an "
               "1 = in wenigen Kreisen gebündelt."),
        "en": ("Concentration across districts: 0 = spread like total employment, closer to 1 = "
               "bundled in a few districts."),
    },
    "no_initiative_field": {
        "de": "Keine Initiative im Register arbeitet in diesem Feld.",
        "en": "No initiative in the registry works in this field.",
    },
    "growth": {"de": "Wachstum p. a.", "en": "Growth p.a."},
    "compare_title": {"de": "Vergleich", "en": "Compare"},
    "compare_pick": {"de": "Kreise wählen, bis zu", "en": "Pick districts, up to"},
    "compare_hint": {"de": "Wählen Sie bis zu fünf Kreise.", "en": "Pick up to five districts."},
    "compare_how": {
        "de": ("Höchstens {n} Kreise. Mehrere wählen: Strg (Mac: ⌘) gedrückt halten und "
               "klicken; Umschalt wählt einen Bereich."),
        "en": ("At most {n} districts. To pick several, hold Ctrl (Mac: ⌘) while clicking; "
               "Shift picks a range."),
    },
    "compare_too_many": {
        "de": "{given} Kreise gewählt – höchstens {n} sind möglich; gezeigt werden die ersten {n}.",
        "en": "{given} districts picked – at most {n} are possible; the first {n} are shown.",
    },
    "search_label": {
        "de": "Kreis, Kategorie oder Initiative",
        "en": "District, category or initiative",
    },
    "hits": {"de": "Treffer", "en": "results"},
    "search_too_short": {
        "de": "Bitte mindestens {n} Zeichen eingeben.",
        "en": "Please enter at least {n} characters.",
    },
    "regions": {"de": "Kreise", "en": "Districts"},
    "categories": {"de": "Clusterkategorien", "en": "Cluster categories"},
    "download_svg": {"de": "Grafik als SVG", "en": "Chart as SVG"},
    "download_png": {"de": "als PNG", "en": "as PNG"},
    "kpi_chart": {"de": "Kennzahlen im Zeitverlauf", "en": "KPIs over time"},
    "benchmark_title": {
        "de": "Im Vergleich mit anderen Initiativen",
        "en": "Compared with other initiatives",
    },
    "impact_title": {
        "de": "Entwicklung der betreuten Cluster",
        "en": "How the covered clusters developed",
    },
    "partners_title": {"de": "Mögliche Partner", "en": "Possible partners"},
    "percentile": {"de": "Perzentil", "en": "Percentile"},
    "composite": {"de": "Gesamtwert (gewichtet)", "en": "Composite (weighted)"},
    "value": {"de": "Wert", "en": "Value"},
    "briefing_pdf": {"de": "Briefing als PDF", "en": "Briefing as PDF"},
    "briefing_html": {"de": "als HTML", "en": "as HTML"},
    "briefing_state_pdf": {
        "de": "Landesportfolio als PDF-Briefing",
        "en": "State portfolio briefing (PDF)",
    },
    "competitive_effect": {
        "de": "Standorteffekt (Shift-Share)",
        "en": "Competitive effect (shift-share)",
    },
    "did_result": {
        "de": "Differenz-von-Differenzen gegenüber vergleichbaren Kreisen ohne Initiative",
        "en": "Difference in differences against comparable districts without an initiative",
    },
    "no_initiative": {"de": "ohne Initiative", "en": "no initiative"},
    "district_initiatives": {
        "de": "Initiativen im Kreis",
        "en": "Initiatives serving the district",
    },
    "from": {"de": "ab", "en": "from"},
    "district_title": {"de": "Clusterprofil {name}", "en": "Cluster profile: {name}"},
    "district_sub": {
        "de": "Stärken, Entwicklung, Initiativen, Lücken und Chancen – Stand {year}",
        "en": "Strengths, development, initiatives, gaps and options – {year}",
    },
    "headline": {"de": "Auf einen Blick", "en": "At a glance"},
    "strongest": {"de": "Stärkste Clusterkategorien", "en": "Strongest cluster categories"},
    "yes": {"de": "ja", "en": "yes"},
    "map": {"de": "Der Kreis und seine Nachbarn", "en": "The district and its neighbours"},
    "map_caption": {
        "de": "Farbe: LQ der Kategorie {cat}; schwarz umrandet: {name}.",
        "en": "Colour: LQ of {cat}; outlined in black: {name}.",
    },
    "trends": {"de": "Entwicklung", "en": "Development"},
    "coverage": {"de": "Cluster und Initiativen", "en": "Clusters and initiatives"},
    "options": {
        "de": "Wohin sich der Kreis entwickeln kann",
        "en": "What the district could grow into",
    },
    "options_note": {
        "de": ("Branchen mit RCA < 1, die mit den Stärken des Kreises verwandt sind "
               "(Verwandtschaftsdichte aus dem gemeinsamen Auftreten über alle Kreise)."),
        "en": ("Industries with RCA < 1 related to the district's strengths (relatedness density, "
               "from co-location across all districts)."),
    },
    "state_compare": {"de": "Vergleich mit dem Land", "en": "Compared with the state"},
    "share_here": {"de": "Anteil im Kreis", "en": "Share in the district"},
    "share_state": {"de": "Anteil an allen Beschäftigten im Land",
                    "en": "Share of all employees in the state"},
    "methods": {"de": "Methoden", "en": "Methods"},
    "methods_text": {
        "de": ("So sind die Zahlen dieses Briefings gebildet; alle Kennzahlen beziehen sich "
               "auf die Beschäftigten am Arbeitsort."),
        "en": ("How the numbers of this briefing are made; all measures count employees at "
               "their place of work."),
    },
    "generated": {
        "de": "Erstellt am {date} mit Clusteratlas; Daten {vintage}.",
        "en": "Generated on {date} by Clusteratlas; data {vintage}.",
    },
    "initiative_title": {"de": "Initiativprofil {name}", "en": "Initiative profile: {name}"},
    "profile": {"de": "Profil", "en": "Profile"},
    "kpis": {"de": "Mitglieder und Kennzahlen", "en": "Members and KPIs"},
    "no_kpis": {
        "de": "Keine veröffentlichten Jahresberichte.",
        "en": "No published yearly reports.",
    },
    "benchmark": {
        "de": "Im Vergleich mit anderen Initiativen",
        "en": "Compared with other initiatives",
    },
    "impact": {
        "de": "Entwicklung der betreuten Cluster",
        "en": "How the covered clusters developed",
    },
    "labels": {"de": "Auszeichnungen", "en": "Labels"},
    "state_title": {"de": "Clusterportfolio {name}", "en": "Cluster portfolio: {name}"},
    "state_sub": {
        "de": "Initiativen, Abdeckung, Lücken und Leistung – Stand {year}",
        "en": "Initiatives, coverage, gaps and performance – {year}",
    },
    "portfolio": {"de": "Das Portfolio", "en": "The portfolio"},
    "covered_share": {
        "de": "Abgedeckter Anteil der Clusterbeschäftigung",
        "en": "Covered share of cluster employment",
    },
    "gaps": {"de": "Lücken nach Beschäftigung", "en": "Gaps by employment"},
    "matrix": {"de": "Abdeckung: Kreise × Kategorien", "en": "Coverage: districts × categories"},
    "all_initiatives": {"de": "Alle Initiativen", "en": "All initiatives"},
    "top": {"de": "Spitzenreiter nach Kennzahlen", "en": "Top performers by KPIs"},
    "no_top": {
        "de": "Noch keine angenommenen Jahresberichte: keine Rangfolge.",
        "en": "No accepted yearly reports yet: no ranking.",
    },
    "agglomerations": {"de": "Cluster", "en": "Clusters"},
    "covered": {"de": "abgedeckt", "en": "covered"},
    "emerging": {"de": "im Entstehen", "en": "emerging"},
    "no_base": {"de": "Initiative ohne Clusterbasis", "en": "initiative without base"},
    "none": {"de": "kein Cluster", "en": "no cluster"},
    # briefings (issue 16): portfolio chart, glossary, totals, sources, map legend
    "brief_portfolio": {"de": "Clusterportfolio", "en": "Cluster portfolio"},
    "brief_portfolio_title": {
        "de": "Spezialisierung und Wachstum {start}–{end}",
        "en": "Specialisation and growth {start}–{end}",
    },
    "brief_portfolio_x": {"de": "LQ (logarithmische Achse; 1 = wie die Bezugsregion)",
                          "en": "LQ (log axis; 1 = as the reference area)"},
    "brief_portfolio_y": {"de": "Veränderung der Beschäftigten {start}–{end}",
                          "en": "Change in employees {start}–{end}"},
    "brief_portfolio_note": {
        "de": ("Jeder Kreis ist eine Clusterkategorie: rechts der Linie LQ = 1 ist der Kreis "
               "spezialisiert, oberhalb der Nulllinie ist die Beschäftigung gewachsen; die "
               "Fläche entspricht den Beschäftigten {end}, die Farbe dem Abdeckungsstatus."),
        "en": ("Each circle is a cluster category: right of the line LQ = 1 the district is "
               "specialised, above the zero line employment grew; the area is the number of "
               "employees in {end}, the colour the coverage status."),
    },
    "brief_portfolio_state_note": {
        "de": ("Jeder Kreis ist ein Cluster (Kreis × Kategorie mit Status): rechts der Linie "
               "LQ = 1 spezialisiert, oberhalb der Nulllinie gewachsen; die Fläche entspricht "
               "den Beschäftigten {end}, die Farbe dem Abdeckungsstatus. Beschriftet sind die "
               "größten, soweit Platz ist."),
        "en": ("Each circle is a cluster (a district × category with a status): right of the "
               "line LQ = 1 specialised, above the zero line grown; the area is the number of "
               "employees in {end}, the colour the coverage status. The largest are labelled "
               "where there is room."),
    },
    "brief_total_employment": {"de": "Beschäftigte insgesamt (alle Branchen)",
                               "en": "Employees, all industries"},
    "brief_total_sum": {"de": "Beschäftigte, Summe der Branchen im Datensatz",
                        "en": "Employees, sum of the industries in the data set"},
    "brief_cluster_employment": {"de": "Beschäftigte in den Clusterkategorien",
                                 "en": "Employees in the cluster categories"},
    "brief_term": {"de": "Begriff", "en": "Term"},
    "brief_meaning": {"de": "Bedeutung", "en": "Meaning"},
    "brief_g_lq": {
        "de": ("Lokalisationsquotient: Anteil der Kategorie an den Beschäftigten des Kreises, "
               "geteilt durch ihren Anteil in der Bezugsregion. Über 1: stärker vertreten als "
               "im Durchschnitt."),
        "en": ("Location quotient: the category's share of the district's employees divided "
               "by its share in the reference area. Above 1: more present than on average."),
    },
    "brief_g_stars": {
        "de": ("Bis zu drei Sterne nach dem European Cluster Observatory, je einer für Größe "
               "(Beschäftigte unter den obersten {size} % der Kreise), Spezialisierung "
               "(LQ ≥ {lq}) und Fokus (Anteil an den Beschäftigten des Kreises unter den "
               "obersten {focus} %)."),
        "en": ("Up to three stars after the European Cluster Observatory, one each for size "
               "(employees in the top {size} % of districts), specialisation (LQ ≥ {lq}) and "
               "focus (share of the district's employees in the top {focus} %)."),
    },
    "brief_g_strong": {
        "de": ("Regel der US Cluster Mapping: LQ mindestens {lq} und unter den obersten "
               "{lq_top} % der Kreise, Beschäftigte und Betriebe über den untersten "
               "{size} %."),
        "en": ("US Cluster Mapping rule: LQ at least {lq} and in the top {lq_top} % of "
               "districts, employees and establishments above the bottom {size} %."),
    },
    "brief_g_gap": {
        "de": ("Lücke: ein starkes Cluster, das keine Initiative mit passender Kategorie und "
               "passendem Einzugsgebiet betreut."),
        "en": ("Gap: a strong cluster that no initiative with a matching category and area "
               "serves."),
    },
    "brief_growth_span": {"de": "Zeitraum", "en": "Period"},
    "brief_g_span": {
        "de": ("Veränderungen gelten von {start} bis {end}, Anteile und LQ für {end}."),
        "en": ("Changes run from {start} to {end}, shares and LQ are for {end}."),
    },
    "brief_reference": {"de": "Bezugsregion", "en": "Reference area"},
    "brief_g_reference": {
        "de": "{area}: alle Kreise des Datensatzes zusammen.",
        "en": "{area}: all districts of the data set together.",
    },
    "brief_data_source": {"de": "Datenquelle", "en": "Data source"},
    "brief_registry_source": {
        "de": "Register der Clusterinitiativen: öffentliche Webseiten; jede Initiative nennt "
              "ihre Quellen.",
        "en": "Cluster initiative registry: public web pages; each initiative names its "
              "sources.",
    },
    "brief_licence": {"de": "Lizenz", "en": "Licence"},
    "brief_source_of": {"de": "Quelle", "en": "Source"},
    "brief_ds_demo-synthetic-panel": {
        "de": ("Beschäftigte nach Kreis und WZ-2008-Branche, {start}–{end} (synthetisch) – "
               "erfundene Zahlen, keine amtliche Statistik. Erzeugt von Clusteratlas, "
               "kalibriert auf rund 4,7 Millionen Beschäftigte in Baden-Württemberg 2018, mit "
               "eingesetzten Clustern"),
        "en": ("Employees by district and WZ 2008 industry, {start}–{end} (synthetic) – "
               "invented numbers, not official statistics. Generated by Clusteratlas, "
               "calibrated to about 4.7 million employees in Baden-Württemberg 2018, with "
               "planted clusters"),
    },
    "brief_ds_schematic-tiles": {
        "de": ("Schematische Sechseckkarte (eine gleich große Kachel je Kreis), keine amtlichen "
               "Grenzen; Lage © GeoBasis-DE / BKG 2021 (Daten verändert)"),
        "en": ("Schematic hexagon tile map (one equal tile per district), not official "
               "boundaries; positions © GeoBasis-DE / BKG 2021 (data changed)"),
    },
    "brief_did": {"de": "Differenz der Differenzen", "en": "Difference in differences"},
    "brief_ds_de-bw-districts": {
        "de": ("Baden-Württemberg: 44 Stadt- und Landkreise (Schlüssel, Namen, Einwohner). "
               "Quelle: BKG VG5000 (01.01.2021), © GeoBasis-DE / BKG 2021 (Daten verändert); "
               "Einwohner: © Statistisches Bundesamt (Destatis), 2019"),
        "en": ("Baden-Württemberg: 44 urban and rural districts (codes, names, population). "
               "Source: BKG VG5000 (01.01.2021), © GeoBasis-DE / BKG 2021 (data changed); "
               "population: © Statistisches Bundesamt (Destatis), 2019"),
    },
    "brief_by_category": {"de": "Nach Clusterkategorie", "en": "By cluster category"},
    # --- labels: coverage statuses, legends that explain their classes (issue 16.9/16.10)
    "status_covered_statewide": {
        "de": "abgedeckt durch ein landesweites Netzwerk",
        "en": "covered by a statewide network",
    },
    "status_covered_within": {
        "de": "abgedeckt innerhalb des Abschnitts",
        "en": "covered within the section",
    },
    "status_statewide_network": {
        "de": "landesweites Netzwerk, hier kein Cluster",
        "en": "statewide network, no cluster here",
    },
    "status_within_section": {
        "de": "Initiative in einem Teilfeld, Abschnitt hier kein Cluster",
        "en": "initiative in a field within, section no cluster here",
    },
    "covered_statewide": {
        "de": "abgedeckt durch ein landesweites Netzwerk",
        "en": "covered by a statewide network",
    },
    "covered_within": {
        "de": "abgedeckt innerhalb des Abschnitts",
        "en": "covered within the section",
    },
    "statewide_network": {
        "de": "landesweites Netzwerk, hier kein Cluster",
        "en": "statewide network, no cluster here",
    },
    "within_section": {
        "de": "Initiative in einem Teilfeld, Abschnitt hier kein Cluster",
        "en": "initiative in a field within, section no cluster here",
    },
    "within_fields": {"de": "Felder der Initiativen", "en": "initiatives' fields"},
    "no_gaps_within": {
        "de": ("Ohne Lücke, soweit die Daten reichen: die starken Cluster hier sind "
               "Wirtschaftsabschnitte, in denen Initiativen an Teilfeldern arbeiten."),
        "en": ("No gap as far as the data tell: the strong clusters here are economic "
               "sections in which initiatives work on fields within."),
    },
    "strong_yes": {"de": "starkes Cluster", "en": "strong cluster"},
    "strong_no": {"de": "kein starkes Cluster", "en": "not a strong cluster"},
    "districts_by": {"de": "Kreise nach", "en": "districts by"},
    "legend_lq": {
        "de": ("Klassen symmetrisch um 1: unter 0,8 schwächer vertreten als im Land, "
               "0,8 bis 1,25 etwa wie im Land, ab 1,25 spezialisiert, ab 2 stark spezialisiert."),
        "en": ("Classes symmetric around 1: below 0.8 less present than in the state, 0.8 to "
               "1.25 about as in the state, from 1.25 specialised, from 2 highly specialised."),
    },
    "legend_employment": {
        "de": "Beschäftigte der Kategorie im Kreis, in festen Größenklassen.",
        "en": "Employees of the category in the district, in fixed size classes.",
    },
    "legend_stars": {
        "de": ("Ein Stern je erfülltem Kriterium des Europäischen Cluster-Observatoriums: "
               "Größe (Beschäftigte unter den oberen 10 % der Kreise), Spezialisierung "
               "(LQ ≥ 2), Fokus (Anteil an der Beschäftigung des Kreises unter den oberen "
               "10 %). Größe und Fokus verlangen keinen LQ über 1: ein großer Kreis kann einen "
               "Stern bei einem LQ unter 1 haben."),
        "en": ("One star for each criterion of the European Cluster Observatory met: size "
               "(employees in the top 10 % of districts), specialisation (LQ ≥ 2), focus "
               "(share of the district's employment in the top 10 %). Size and focus do not "
               "require an LQ above 1: a large district can earn a star at an LQ below 1."),
    },
    "legend_strong": {
        "de": ("Starkes Cluster (Regel der US Cluster Mapping): LQ mindestens beim 75. "
               "Perzentil der Kreise und mindestens 1, Beschäftigte und Betriebe über dem "
               "25. Perzentil."),
        "en": ("Strong cluster (US Cluster Mapping rule): LQ at or above the 75th percentile "
               "of the districts and at least 1, employees and establishments above the "
               "25th percentile."),
    },
    "legend_min_employment": {
        "de": "Sterne und „starkes Cluster“ erst ab {n} Beschäftigten in der Kategorie.",
        "en": "Stars and “strong cluster” only from {n} employees in the category.",
    },
    "legend_growth": {
        "de": ("Durchschnittliche jährliche Veränderung der Beschäftigten (CAGR); zwischen "
               "−1 % und +1 % gilt als stabil."),
        "en": ("Average yearly change in employment (CAGR); between −1 % and +1 % counts as "
               "stable."),
    },
    "legend_coverage": {
        "de": ("Cluster = starkes Cluster. Landesweite Netzwerke zählen als landesweite "
               "Abdeckung, nicht als Initiative ohne Clusterbasis in jedem Kreis."),
        "en": ("Cluster = strong cluster. Statewide networks count as statewide coverage, "
               "not as an initiative without base in every district."),
    },
    "legend_coverage_within": {
        "de": ("Die Daten sind gröber als die Felder der Initiativen (WZ-Abschnitte): "
               "„innerhalb des Abschnitts“ heißt, das Feld einer Initiative liegt im Abschnitt."),
        "en": ("The data are coarser than the initiatives' fields (WZ sections): “within the "
               "section” means an initiative's field lies in the section."),
    },
    # -- scope, reference and comparison; what the mapping rules leave out (helper scope)
    "scope": {"de": "Gebiet", "en": "Area"},
    "reference_line": {"de": "LQ relativ zu {name}", "en": "LQ relative to {name}"},
    "reference_sum": {"de": "Summe seiner {n} Kreise in den Daten",
                      "en": "the sum of its {n} districts in the data"},
    "comparison_all": {
        "de": "Sterne und starke Cluster: Perzentile über alle {n} Kreise der Daten",
        "en": "Stars and strong clusters: percentiles over all {n} districts in the data",
    },
    "comparison_scope": {
        "de": "Sterne und starke Cluster: Perzentile über die {n} Kreise von {name}",
        "en": "Stars and strong clusters: percentiles over the {n} districts of {name}",
    },
    "strong_without_establishments": {
        "de": ("Die Daten enthalten keine Betriebszahlen: die Regel für starke Cluster prüft "
               "hier nur LQ und Beschäftigung, nicht die Zahl der Betriebe."),
        "en": ("The data hold no establishment counts: the strong-cluster rule checks only "
               "LQ and employment here, not the number of establishments."),
    },
    "growth_span": {"de": "Wachstum pro Jahr {start}–{end}",
                    "en": "Annual growth {start}–{end}"},
    "growth_none": {
        "de": "{year} ist das erste Jahr der Daten: Wachstum braucht ein früheres Jahr.",
        "en": "{year} is the first year of the data: growth needs an earlier year.",
    },
    "scope_of_region": {"de": "Karte des Gebiets:", "en": "Map of the area:"},
    "no_strong_here": {
        "de": "Hier gibt es nach der gewählten Regel kein starkes Cluster.",
        "en": "There is no strong cluster here under the chosen rule.",
    },
    # --- locale and downloads (issue 16, helper "locale"): the XLSX beside every CSV
    "download_xlsx": {"de": "Tabelle als Excel-Datei (XLSX)", "en": "Table as Excel file (XLSX)"},
    "export_sheet_data": {"de": "Daten", "en": "Data"},
    "export_sheet_source": {"de": "Quelle", "en": "Source"},
    "export_created": {"de": "Erstellt am", "en": "Created on"},
    "export_title": {"de": "Datensatz", "en": "Dataset"},
    "export_source": {"de": "Herkunft", "en": "Origin"},
    "export_attribution": {"de": "Namensnennung", "en": "Attribution"},
    "export_licence": {"de": "Lizenz", "en": "Licence"},
    "export_synthetic": {"de": "synthetisch", "en": "synthetic"},
    "export_years": {"de": "Jahre", "en": "Years"},
    "export_scope": {"de": "Gebiet", "en": "Area"},
    "export_reference": {"de": "LQ-Bezugsgebiet", "en": "LQ reference area"},
    "export_comparison": {"de": "Vergleichsmenge", "en": "Comparison set"},
    "range_to": {"de": "bis", "en": "to"},
    # --- lang: glossary, explanations next to indicators, diversification in plain words,
    # error pages, impact notes and dataset notes in both languages (issue 16, points 3, 8)
    "glossary": {"de": "Glossar", "en": "Glossary"},
    "glossary_intro": {
        "de": ("Was die Kennzahlen des Atlas bedeuten, in einfachen Worten. Die Formeln und "
               "Quellen stehen jeweils darunter."),
        "en": ("What the atlas's indicators mean, in plain words. Formulas and references "
               "follow each entry."),
    },
    "explain": {"de": "Was heißt das?", "en": "What does this mean?"},
    "explain_more": {"de": "Mehr im Glossar", "en": "More in the glossary"},
    "formula": {"de": "Formel und Quelle", "en": "Formula and reference"},
    "gl_cluster_term": {"de": "Cluster und Clusterinitiative", "en": "Cluster and cluster initiative"},
    "gl_cluster_text": {
        "de": ("Ein Cluster ist eine statistische Ballung: viele Beschäftigte einer Branchengruppe "
               "in einem Kreis. Eine Clusterinitiative ist eine Organisation (Verein, GmbH, "
               "Netzwerk), die Unternehmen und Forschung einer Branche zusammenbringt. Der Atlas "
               "hält beides auseinander und zeigt, wo sie sich decken."),
        "en": ("A cluster is a statistical concentration: many employees of a group of industries "
               "in one district. A cluster initiative is an organisation (association, company, "
               "network) that brings an industry's firms and research together. The atlas keeps "
               "the two apart and shows where they meet."),
    },
    "gl_lq_term": {"de": "Lokalisationsquotient (LQ)", "en": "Location quotient (LQ)"},
    "gl_lq_text": {
        "de": ("Wie stark eine Branche im Kreis vertreten ist, verglichen mit dem Land. LQ 1: so "
               "stark wie im Landesdurchschnitt; LQ 2: doppelt so stark; unter 1: schwächer. Ein "
               "hoher LQ bei wenigen Beschäftigten heißt noch nicht viel."),
        "en": ("How strongly an industry is represented in the district compared with the state. "
               "LQ 1: as strong as the state average; LQ 2: twice as strong; below 1: weaker. A "
               "high LQ with few employees does not mean much yet."),
    },
    "gl_lq_formula": {
        "de": ("LQ = (Beschäftigte der Kategorie im Kreis / alle Beschäftigten im Kreis) / "
               "(Beschäftigte der Kategorie im Land / alle Beschäftigten im Land)."),
        "en": ("LQ = (category employees in the district / all employees in the district) / "
               "(category employees in the state / all employees in the state)."),
    },
    "gl_stars_term": {"de": "Sterne", "en": "Stars"},
    "gl_stars_text": {
        "de": ("Bis zu drei Sterne, einer für jede Stärke: Größe (der Kreis gehört bei den "
               "Beschäftigten der Kategorie zu den obersten 10 %), Spezialisierung (LQ mindestens "
               "2) und Fokus (die Kategorie hat am Kreis einen Anteil wie in den obersten 10 % der "
               "Kreise). Sehr kleine Bestände erhalten keinen Stern; die Mindestgröße nennt die "
               "Legende."),
        "en": ("Up to three stars, one for each strength: size (the district is among the top "
               "10 % by the category's employees), specialisation (LQ at least 2) and focus (the "
               "category's share of the district is as high as in the top 10 % of districts). "
               "Very small clusters get no star; the legend gives the minimum size."),
    },
    "gl_stars_formula": {
        "de": "European Cluster Observatory (2008), Methodik der Clusterkartierung.",
        "en": "European Cluster Observatory (2008), cluster mapping methodology.",
    },
    "gl_strong_term": {"de": "Starkes Cluster", "en": "Strong cluster"},
    "gl_strong_text": {
        "de": ("Ein Cluster, das in vier Dingen zugleich vorne liegt: Der LQ gehört zum obersten "
               "Viertel der Kreise und ist mindestens 1, und Beschäftigte wie Betriebe liegen über "
               "dem untersten Viertel. Es ist also spezialisiert und nicht bloß klein."),
        "en": ("A cluster that is ahead on four counts at once: its LQ is in the top quarter of "
               "districts and at least 1, and both its employees and its establishments are "
               "above the bottom quarter. It is specialised, not merely small."),
    },
    "gl_strong_formula": {
        "de": "Delgado, Porter und Stern (2014); US Cluster Mapping, „Strong clusters“.",
        "en": "Delgado, Porter and Stern (2014); US Cluster Mapping, “strong clusters”.",
    },
    "gl_rca_term": {"de": "Spezialisierung (RCA)", "en": "Specialisation (RCA)"},
    "gl_rca_text": {
        "de": ("Dieselbe Idee wie der LQ, für einzelne Branchen (WZ-Klassen): RCA 1 heißt so stark "
               "wie im Durchschnitt aller Kreise. Ab 1 gilt der Kreis als in der Branche "
               "spezialisiert. RCA 0 heißt: keine Beschäftigten im Kreis."),
        "en": ("The same idea as the LQ, for single industries (WZ classes): RCA 1 means as strong "
               "as the average of all districts. From 1 on, the district counts as specialised "
               "in the industry. RCA 0 means: no employees in the district."),
    },
    "gl_rca_formula": {
        "de": "RCA (Balassa 1965) = Anteil der Branche im Kreis / Anteil der Branche insgesamt.",
        "en": "RCA (Balassa 1965) = the industry's share in the district / its overall share.",
    },
    "gl_density_term": {"de": "Verwandtschaftsdichte", "en": "Relatedness density"},
    "gl_density_text": {
        "de": ("Wie viel der Kreis schon von dem kann, was eine Branche braucht. Zwei Branchen "
               "gelten als verwandt, wenn sie oft in denselben Kreisen stark sind. Die Dichte ist "
               "der Anteil dieser verwandten Branchen, in denen der Kreis schon spezialisiert ist: "
               "40 % heißt, vier von zehn Anknüpfungspunkten sind vor Ort."),
        "en": ("How much of what an industry needs the district can already do. Two industries "
               "count as related when they are often strong in the same districts. The density "
               "is the share of these related industries in which the district is already "
               "specialised: 40 % means four in ten points of contact are there."),
    },
    "gl_density_formula": {
        "de": ("Dichte = Summe der Nähe zu den spezialisierten Branchen / Summe der Nähe zu allen "
               "Branchen (Hidalgo u. a. 2007)."),
        "en": ("density = sum of proximities to the specialised industries / sum of proximities "
               "to all industries (Hidalgo et al. 2007)."),
    },
    "gl_complexity_term": {"de": "Komplexität (PCI, ECI)", "en": "Complexity (PCI, ECI)"},
    "gl_complexity_text": {
        "de": ("Der PCI sagt, wie anspruchsvoll eine Branche ist: Sie kommt nur in wenigen, "
               "vielseitigen Kreisen vor. Der ECI sagt dasselbe über einen Kreis: Er hat viele "
               "anspruchsvolle Branchen. Beide sind um 0 gemittelt; über 0 heißt "
               "überdurchschnittlich komplex."),
        "en": ("The PCI says how demanding an industry is: it occurs only in few, diverse "
               "districts. The ECI says the same of a district: it has many demanding industries. "
               "Both are centred on 0; above 0 means more complex than average."),
    },
    "gl_complexity_formula": {
        "de": "Hidalgo und Hausmann (2009), Methode der Reflexionen als Eigenvektor.",
        "en": "Hidalgo and Hausmann (2009), the method of reflections as an eigenvector.",
    },
    "gl_cog_term": {"de": "Ausblicksgewinn (COG)", "en": "Outlook gain (COG)"},
    "gl_cog_text": {
        "de": ("Wie sehr eine neue Branche dem Kreis weitere Wege öffnet: Ein hoher Wert heißt, "
               "sie bringt ihn nahe an viele weitere anspruchsvolle Branchen."),
        "en": ("How far a new industry would open further paths for the district: a high value "
               "means it brings the district close to many more demanding industries."),
    },
    "gl_cog_formula": {
        "de": "Hausmann u. a. (2014), Atlas of Economic Complexity.",
        "en": "Hausmann et al. (2014), The Atlas of Economic Complexity.",
    },
    "gl_impact_term": {"de": "Wirkungsschätzung", "en": "Impact estimate"},
    "gl_impact_text": {
        "de": ("Hat sich das betreute Cluster nach der Gründung der Initiative besser entwickelt "
               "als erwartet? Der Standorteffekt (Shift-Share) ist das Wachstum über oder unter "
               "dem Landestrend der Branche, in Beschäftigten. Der Vorher-nachher-Vergleich stellt "
               "das Cluster vergleichbaren Kreisen ohne Initiative gegenüber. Beides zeigt einen "
               "Zusammenhang, keinen Beweis der Ursache."),
        "en": ("Did the covered cluster do better than expected after the initiative was "
               "founded? The competitive effect (shift-share) is the growth above or below the "
               "industry's state trend, in employees. The before/after comparison sets the "
               "cluster against comparable districts without an initiative. Both show an "
               "association, not proof of cause."),
    },
    "gl_impact_formula": {
        "de": ("Standorteffekt = Beschäftigte am Anfang × (eigenes Wachstum − Wachstum der "
               "Kategorie im Land); Differenz-von-Differenzen mit gematchten Vergleichskreisen."),
        "en": ("competitive effect = employees at the start × (own growth − the category's "
               "growth in the state); difference in differences with matched comparison districts."),
    },
    "ex_lq": {
        "de": "LQ 1 = so stark wie im Land, 2 = doppelt so stark, unter 1 = schwächer.",
        "en": "LQ 1 = as strong as in the state, 2 = twice as strong, below 1 = weaker.",
    },
    "ex_stars": {
        "de": "Ein Stern je Stärke: Größe, Spezialisierung (LQ ≥ 2), Fokus; höchstens drei.",
        "en": "One star per strength: size, specialisation (LQ ≥ 2), focus; three at most.",
    },
    "ex_strong": {
        "de": "Spezialisiert (LQ im obersten Viertel, mindestens 1) und nicht bloß klein.",
        "en": "Specialised (LQ in the top quarter, at least 1) and not merely small.",
    },
    "ex_impact": {
        "de": ("Standorteffekt: Beschäftigte über (+) oder unter (−) dem Landestrend der Branche "
               "seit der Gründung. Ein Zusammenhang, kein Beweis der Wirkung."),
        "en": ("Competitive effect: employees above (+) or below (−) the industry's state trend "
               "since the founding. An association, not proof of effect."),
    },
    "ex_options": {
        "de": ("Anknüpfungspunkte: Anteil der verwandten Branchen, in denen der Kreis schon "
               "spezialisiert ist. Heute: wie stark die Branche im Kreis schon ist (1 = "
               "Durchschnitt). Anspruch: wie komplex die Branche ist (PCI)."),
        "en": ("Points of contact: the share of related industries in which the district is "
               "already specialised. Today: how strong the industry already is in the district "
               "(1 = average). Demand: how complex the industry is (PCI)."),
    },
    "ex_complexity": {
        "de": ("ECI über 0: Der Kreis hat mehr anspruchsvolle, seltene Branchen als der "
               "Durchschnitt; unter 0: weniger."),
        "en": ("ECI above 0: the district has more demanding, rare industries than average; "
               "below 0: fewer."),
    },
    "opt_title": {
        "de": "Verwandte Branchen, in denen der Kreis noch nicht spezialisiert ist",
        "en": "Related industries in which the district is not yet specialised",
    },
    "opt_intro": {
        "de": ("Branchen, die im Kreis schon vertreten, aber noch schwächer als im Durchschnitt "
               "sind, und die zu seinen Stärken passen: Sie kommen anderswo oft zusammen mit den "
               "Branchen vor, in denen der Kreis stark ist. Branchen ohne Beschäftigte im Kreis "
               "schlägt der Atlas nicht vor."),
        "en": ("Industries that already exist in the district, but weaker than on average, and "
               "that fit its strengths: elsewhere they often occur together with the industries "
               "in which the district is strong. Industries without employees in the district are "
               "not suggested."),
    },
    "opt_contact": {"de": "Anknüpfungspunkte im Kreis", "en": "Points of contact in the district"},
    "opt_contact_share": {
        "de": "{share} der verwandten Branchen schon stark",
        "en": "{share} of the related industries already strong",
    },
    "opt_today": {"de": "Heute (RCA)", "en": "Today (RCA)"},
    "opt_demand": {"de": "Anspruch", "en": "Demand"},
    "opt_demand_high": {"de": "hoch", "en": "high"},
    "opt_demand_mid": {"de": "mittel", "en": "medium"},
    "opt_demand_low": {"de": "gering", "en": "low"},
    "opt_eci": {
        "de": "Wirtschaftliche Komplexität des Kreises (ECI): {eci}, {level}.",
        "en": "Economic complexity of the district (ECI): {eci}, {level}.",
    },
    "opt_eci_above": {"de": "über dem Durchschnitt", "en": "above average"},
    "opt_eci_below": {"de": "unter dem Durchschnitt", "en": "below average"},
    "opt_none": {
        "de": "Keine verwandte Branche mit Beschäftigten im Kreis, in der er noch nicht spezialisiert ist.",
        "en": "No related industry with employees in the district in which it is not yet specialised.",
    },
    "impact_caveat": {
        "de": ("Ein Zusammenhang, kein Beweis der Ursache: Die Vergleichskreise gleichen den "
               "betreuten in Größe und Entwicklung vor der Gründung, nicht in allem anderen, was "
               "sich verändert hat."),
        "en": ("An association, not proof of cause: the comparison regions match the covered "
               "ones in size and pre-founding trend, not in everything else that changed."),
    },
    "impact_statewide": {
        "de": ("Kein Vergleich möglich: Ein landesweites Netzwerk betreut alle Kreise, es bleibt "
               "keiner zum Vergleich."),
        "en": ("no comparison possible: a statewide network covers every region, so none is left "
               "to compare with"),
    },
    "impact_founding_unknown": {"de": "Gründungsjahr unbekannt", "en": "founding year unknown"},
    "impact_short_panel": {
        "de": ("Die Daten beginnen {first}, die Initiative wurde {founded} gegründet: Der "
               "Vorher-nachher-Vergleich braucht mindestens 2 Jahre vor der Gründung."),
        "en": ("the panel starts {first}; the initiative was founded {founded}: the before/after "
               "comparison needs at least 2 years before the founding"),
    },
    "impact_no_post_year": {
        "de": "Kein Jahr nach der Gründung ({founded}) in den Daten.",
        "en": "no year after the founding ({founded}) in the panel",
    },
    "impact_no_comparison": {
        "de": "Kein vergleichbarer Kreis ohne Initiative.",
        "en": "no comparable uncovered region",
    },
    "error_400": {
        "de": "Die Anfrage enthält eine ungültige Angabe.",
        "en": "The request contains an invalid value.",
    },
    "error_401": {"de": "Bitte melden Sie sich zuerst an.", "en": "Please sign in first."},
    "error_403": {"de": "Dafür fehlt Ihnen die Berechtigung.", "en": "You may not do this."},
    "error_404": {
        "de": "Diese Seite oder dieser Eintrag existiert nicht.",
        "en": "This page or entry does not exist.",
    },
    "error_409": {
        "de": "Der Eintrag wurde inzwischen geändert; bitte laden Sie die Seite neu.",
        "en": "The entry has changed in the meantime; please reload the page.",
    },
    "error_413": {"de": "Die Datei ist zu groß.", "en": "The file is too large."},
    "error_429": {
        "de": "Zu viele Versuche; bitte warten Sie einen Moment.",
        "en": "Too many attempts; please wait a moment.",
    },
    "error_500": {
        "de": "Ein interner Fehler ist aufgetreten; er steht im Protokoll des Servers.",
        "en": "An internal error occurred; it is in the server's log.",
    },
    "error_503": {
        "de": "Der Dienst ist gerade nicht erreichbar; bitte versuchen Sie es später.",
        "en": "The service is not available right now; please try again later.",
    },
    "error_detail": {"de": "Genauer", "en": "Details"},
    "err_no_page": {"de": "Keine Seite unter {path}.", "en": "No page at {path}."},
    "err_unknown_region": {
        "de": "Die Region „{code}“ ist nicht im Verzeichnis.",
        "en": "The region “{code}” is not in the register.",
    },
    "err_region_no_data": {
        "de": "Für die Region „{code}“ hat der Atlas keine Daten.",
        "en": "The atlas has no data for the region “{code}”.",
    },
    "err_unknown_initiative": {
        "de": "Die Initiative „{id}“ ist nicht im Register.",
        "en": "The initiative “{id}” is not in the registry.",
    },
    "err_search_short": {
        "de": "Bitte suchen Sie nach mindestens {n} Zeichen.",
        "en": "Please search for at least {n} characters.",
    },
    "err_sign_in": {
        "de": "Zum Ändern des Registers bitte anmelden.",
        "en": "Sign in to change the registry.",
    },
    "err_sign_in_first": {"de": "Bitte zuerst anmelden.", "en": "Please sign in first."},
    "err_wrong_password": {"de": "Name oder Passwort falsch.", "en": "Wrong name or password."},
    "err_form_expired": {
        "de": "Das Formular ist abgelaufen; bitte laden Sie die Seite neu.",
        "en": "The form has expired; please reload the page.",
    },
    "err_review_queue": {
        "de": "Die Prüfliste führt die Clusteragentur.",
        "en": "The review queue is the agency's.",
    },
    "err_admins_only": {
        "de": "Nur die Clusteragentur (Administration) verwaltet Benutzer.",
        "en": "Only admins manage users.",
    },
    "err_invalid_params": {"de": "Ungültige Angaben in der Adresse.", "en": "Invalid request parameters."},
    "err_compare_max": {
        "de": "Höchstens {n} Kreise auf einmal vergleichen.",
        "en": "Compare at most {n} regions at once.",
    },
    "err_year": {
        "de": "Das Jahr {year} ist nicht in den Daten.",
        "en": "The year {year} is not in the panel.",
    },
    "ds_demo_synthetic_panel_title": {
        "de": "Beschäftigte nach Kreis und WZ-2008-Branche, 2015–2024 (synthetisch)",
        "en": "Employment by district and WZ 2008 industry, 2015–2024 (synthetic)",
    },
    "ds_demo_synthetic_panel_attribution": {
        "de": "Synthetische Demodaten – erfundene Zahlen, keine amtliche Statistik",
        "en": "Synthetic demo data – invented numbers, not official statistics",
    },
    "ds_demo_synthetic_panel_source": {
        "de": ("Von Clusteratlas erzeugt (fester Startwert); kalibriert auf rund 4,7 Millionen "
               "Beschäftigte in Baden-Württemberg 2018, mit eingebauten Clustern"),
        "en": ("Generated by Clusteratlas (fixed seed); calibrated to about 4.7 million employees "
               "in Baden-Württemberg 2018, with planted agglomerations"),
    },
    "ds_de_bw_districts_title": {
        "de": "Baden-Württemberg: 44 Stadt- und Landkreise (Schlüssel, Namen, Einwohner)",
        "en": "Baden-Württemberg: 44 Stadt- und Landkreise (codes, names, population)",
    },
    "ds_de_bw_districts_source": {
        "de": ("BKG VG5000 (01.01.2021), © GeoBasis-DE / BKG 2021 (Daten verändert), "
               "dl-de/by-2.0; Einwohner: © Statistisches Bundesamt (Destatis), 2019"),
        "en": ("BKG VG5000 (01.01.2021), © GeoBasis-DE / BKG 2021 (data modified), dl-de/by-2.0; "
               "population: © Statistisches Bundesamt (Destatis), 2019"),
    },
    "ds_schematic_tiles_title": {
        "de": "Schematische Sechseck-Kachelkarte (eine gleich große Kachel je Kreis)",
        "en": "Schematic hexagon tile map (one equal tile per district)",
    },
    "ds_schematic_tiles_attribution": {
        "de": ("Schematische Karte, keine amtlichen Grenzen; Lagen © GeoBasis-DE / BKG 2021 "
               "(Daten verändert)"),
        "en": ("Schematic map, not official boundaries; positions © GeoBasis-DE / BKG 2021 "
               "(data modified)"),
    },
    "ds_schematic_tiles_source": {
        "de": ("Von Clusteratlas aus den Kreismittelpunkten erzeugt (© GeoBasis-DE / BKG 2021, "
               "Daten verändert)"),
        "en": ("Built by Clusteratlas from district centre points (© GeoBasis-DE / BKG 2021, "
               "data modified)"),
    },
    "ds_registry_title": {"de": "Register der Clusterinitiativen", "en": "Cluster initiative registry"},
    "ds_registry_attribution": {"de": "Register des Clusteratlas", "en": "Clusteratlas registry"},
    "ds_registry_licence": {"de": "Fakten mit ihren Quellen", "en": "facts with their sources"},
    "ds_registry_source": {
        "de": ("Öffentliche Webseiten (jede Initiative nennt ihre Quellen) und die eigenen "
               "Berichte der Initiativen"),
        "en": ("Public web pages (each initiative lists its sources) and the initiatives' own "
               "reports"),
    },
    "bilingual_note": {
        "de": ("Freitexte auf Deutsch, ihre englische Fassung im Feld darunter; leer lassen, wo "
               "es keine gibt (die Seite zeigt dann die andere Sprache, gekennzeichnet)."),
        "en": ("Free texts in German, their English version in the field below; leave it empty "
               "where there is none (the page then shows the other language, marked)."),
    },
    "f_sector_en": {"de": "Branche / Technologiefelder (englisch)", "en": "Sector / technology fields (English)"},
    "f_managing_organisation_en": {
        "de": "Trägerorganisation (englisch)", "en": "Managing organisation (English)"},
    "f_founding_occasion_en": {"de": "Gründungsanlass (englisch)", "en": "Founding occasion (English)"},
    "f_goals_en": {"de": "Ziele und Strategie (englisch)", "en": "Goals and strategy (English)"},
    "f_services_en": {"de": "Leistungen (englisch)", "en": "Services (English)"},
    "f_members_text_en": {
        "de": "Mitglieder (Text aus Quellen, englisch)", "en": "Members (as the sources say, English)"},
    "f_staff_text_en": {
        "de": "Personal (Text aus Quellen, englisch)", "en": "Staff (as the sources say, English)"},
    # scale of the pages (issue 15, point 8)
    "ranking_first": {
        "de": "Die ersten {n} von {total} Gebieten; die Downloads enthalten alle.",
        "en": "The first {n} of {total} areas; the downloads hold all of them.",
    },
    # cluster categories a section-level table cannot measure (issue 15, point 3)
    "category_needs": {"de": "braucht Daten der {level}", "en": "needs {level} data"},
    "wz_level_division": {"de": "WZ-Abteilungen (2-Steller)", "en": "WZ division (2-digit)"},
    "wz_level_group": {"de": "WZ-Gruppen (3-Steller)", "en": "WZ group (3-digit)"},
    "wz_level_class": {"de": "WZ-Klassen (4-Steller)", "en": "WZ class (4-digit)"},
    "wz_level_subclass": {"de": "WZ-Unterklassen (5-Steller)", "en": "WZ subclass (5-digit)"},
    "category_not_computable": {
        "de": "Die Clusterkategorie „{name}“ ist mit dieser Tabelle nicht berechenbar: sie {needs}; "
              "die Tabelle hat nur WZ-Abschnitte.",
        "en": "The cluster category “{name}” is not computable with this table: it {needs}; "
              "the table has WZ sections only.",
    },
    "unsupported_summary": {
        "de": "{n} Clusterkategorien sind mit dieser Tabelle nicht berechenbar (sie hat nur "
              "WZ-Abschnitte)",
        "en": "{n} cluster categories are not computable with this table (it has WZ "
              "sections only)",
    },
}
