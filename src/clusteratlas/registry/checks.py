"""Plausibility checks and the BW admission rules for a yearly KPI report (pure).

Errors block a submission; warnings are shown to the manager and the reviewer.

Admission rules of the Clusterdatenbank Baden-Württemberg: at least 12 committed
partners, at least 50 % of them companies, at least 3 activities a year.  The EU
Cluster Collaboration Platform asks for at least 0.5 FTE of cluster management.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Finding", "check_report"]

_TYPES = ("members_sme", "members_large", "members_research", "members_education",
          "members_public", "members_other")


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"level": self.level, "field": self.field, "message": self.message}


def check_report(r: Mapping[str, Any]) -> list[Finding]:
    """Findings for one report given as a mapping of the KPI fields."""
    out: list[Finding] = []

    def err(field: str, message: str) -> None:
        out.append(Finding("error", field, message))

    def warn(field: str, message: str) -> None:
        out.append(Finding("warning", field, message))

    for key, value in r.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            err(key, f"{value} is negative; counts and amounts are ≥ 0")
    for key in ("public_cofunding_share", "satisfaction"):
        v = r.get(key)
        if v is not None and v > 100:
            err(key, f"{v} % is more than 100 %")
    counts = [r.get(k) for k in _TYPES]
    total = sum(c for c in counts if c is not None) if any(c is not None for c in counts) else None
    if total is None:
        warn("members_sme", "no member counts by type")
    active = r.get("members_active")
    if active is not None and total is not None and active > total:
        err("members_active", f"{active} active members but {total} members in all")
    if active is not None and not r.get("active_definition"):
        warn("active_definition", "say how 'active' is defined (e.g. paying or ≥ 2 "
                                  "participations a year)")
    fte, head = r.get("staff_fte"), r.get("staff_headcount")
    if fte is not None and head is not None and fte > head:
        err("staff_fte", f"{fte} FTE is more than the headcount of {head}")
    if fte is not None and fte < 0.5:
        warn("staff_fte", f"{fte} FTE of cluster management is below the 0.5 FTE of the "
                          "EU Cluster Collaboration Platform")
    parts, events = r.get("participants"), r.get("events")
    if parts is not None and events == 0 and parts > 0:
        err("participants", f"{parts} participants but no events")
    funded, volume = r.get("funded_projects"), r.get("funded_volume_eur")
    if volume and not funded:
        err("funded_projects", f"a funded volume of {volume:,.0f} EUR but no funded projects")
    collab = r.get("collaboration_projects")
    if collab is not None and total is not None and total < 3 and collab > 0:
        err("collaboration_projects", "collaboration projects need ≥ 3 firms, the "
                                      f"initiative has {total} members")
    partners = r.get("committed_partners")
    if partners is None and total is not None:
        partners = total
    if partners is not None and partners < 12:
        warn("committed_partners", f"{partners} committed partners: the BW cluster database "
                                   "admits initiatives with at least 12")
    if total:
        firms = (r.get("members_sme") or 0) + (r.get("members_large") or 0)
        if firms / total < 0.5:
            warn("members_sme", f"companies are {firms / total:.0%} of the members: the BW "
                                "cluster database asks for at least 50 %")
        types = sum(1 for c in counts if c)
        if types < 2:
            warn("members_sme", "one member type only: the EU platform asks for at least two")
    if events is not None and events < 3:
        warn("events", f"{events} activities: the BW cluster database asks for at least 3 "
                       "a year")
    return out
