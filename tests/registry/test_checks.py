"""Plausibility checks and admission rules, case by case (pure functions)."""

from clusteratlas.registry.checks import check_report


def _by_field(report):
    return {(f.level, f.field) for f in check_report(report)}


GOOD = {"members_sme": 30, "members_large": 5, "members_research": 4, "members_education": 2,
        "members_public": 1, "members_other": 0, "members_active": 35,
        "active_definition": "paying or two participations", "committed_partners": 40,
        "staff_headcount": 3, "staff_fte": 2.5, "budget_eur": 400000.0,
        "public_cofunding_share": 45.0, "events": 12, "participants": 600,
        "collaboration_projects": 3, "funded_projects": 2, "funded_volume_eur": 250000.0,
        "satisfaction": 82.0}


def test_a_plausible_report_has_no_findings():
    assert check_report(GOOD) == []


def test_errors_name_their_field():
    bad = GOOD | {"members_active": 50, "staff_fte": 4.0, "public_cofunding_share": 120.0,
                  "members_sme": -1}
    found = _by_field(bad)
    assert ("error", "members_active") in found  # 50 active of 41 members
    assert ("error", "staff_fte") in found       # 4 FTE with 3 people
    assert ("error", "public_cofunding_share") in found
    assert ("error", "members_sme") in found


def test_bw_admission_rules_are_warnings():
    small = GOOD | {"members_sme": 3, "members_large": 0, "members_research": 4,
                    "members_education": 2, "members_public": 1, "members_active": 8,
                    "committed_partners": 10, "events": 2}
    found = _by_field(small)
    assert ("warning", "committed_partners") in found  # < 12
    assert ("warning", "members_sme") in found          # companies 3 of 10 < 50 %
    assert ("warning", "events") in found               # < 3 activities
    assert not any(level == "error" for level, _ in found)


def test_exactly_at_the_thresholds_passes():
    edge = GOOD | {"members_sme": 6, "members_large": 0, "members_research": 6,
                   "members_education": 0, "members_public": 0, "members_other": 0,
                   "members_active": 12, "committed_partners": 12, "events": 3,
                   "staff_fte": 0.5, "staff_headcount": 1}
    assert check_report(edge) == []


def test_inconsistent_activity_figures():
    found = _by_field(GOOD | {"events": 0, "participants": 10})
    assert ("error", "participants") in found
    found = _by_field(GOOD | {"funded_projects": 0, "funded_volume_eur": 1000.0})
    assert ("error", "funded_projects") in found
