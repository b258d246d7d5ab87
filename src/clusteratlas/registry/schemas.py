"""What may be written to the registry and what comes back (pydantic models).

These models are the one contract of the REST API, the web forms and the import
files: types, ranges and code patterns are checked here, cross-field plausibility and
the admission rules in :mod:`clusteratlas.registry.checks`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "DEFAULT_VISIBILITY",
    "FIELD_GROUPS",
    "KPI_FIELDS",
    "LABELS",
    "MEMBER_TYPES",
    "ROLES",
    "CooperationIn",
    "FactIn",
    "FieldGroup",
    "InitiativeIn",
    "InitiativePatch",
    "KpiReportIn",
    "Label",
    "LabelIn",
    "MemberIn",
    "MemberType",
    "ProjectIn",
    "ReviewIn",
    "Role",
    "SourceIn",
    "WebUrl",
    "web_url",
]

Role = Literal["admin", "analyst", "manager", "public"]
MemberType = Literal["sme", "large", "research", "education", "public", "other"]
Label = Literal["ESCA Bronze", "ESCA Silver", "ESCA Gold", "BW Cluster-Exzellenz", "go-cluster"]
#: field groups an initiative may publish or keep to the agency; the profile itself
#: (name, seat, sector, categories, goals, services, status) is always public
FieldGroup = Literal["facts", "members", "kpis", "budget", "projects", "cooperations",
                     "labels"]
ROLES: tuple[str, ...] = get_args(Role)
MEMBER_TYPES: tuple[str, ...] = get_args(MemberType)
LABELS: tuple[str, ...] = get_args(Label)
FIELD_GROUPS: tuple[str, ...] = get_args(FieldGroup)
DEFAULT_VISIBILITY = {"facts": True, "members": False, "kpis": False, "budget": False,
                      "projects": True, "cooperations": True, "labels": True}

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
Ident = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
IsoDate = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
Year = Annotated[int, Field(ge=1800, le=2100)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Amount = Annotated[float, Field(ge=0, le=1e12)]
Short = Annotated[str, Field(max_length=300)]
Long = Annotated[str, Field(max_length=20_000)]


def web_url(value: str) -> str:
    """``value`` if it is an absolute http(s) URL with a host, else a ValueError.

    The one check of every URL the registry stores and the pages link to: anything
    else (``javascript:``, ``data:``, ``vbscript:``, relative or protocol-relative
    links, schemes hidden behind whitespace, backslashes or control characters) could
    run script in a reader's browser when rendered as a link."""
    parts = urlsplit(value)
    if (not value.isprintable() or any(c.isspace() or c == "\\" for c in value)
            or parts.scheme.lower() not in ("http", "https")
            or not value.lower().startswith(f"{parts.scheme.lower()}://")
            or not parts.hostname):
        raise ValueError("expected a web address starting with http:// or https://")
    return value


def _web_url_or_empty(value: str) -> str:
    return value and web_url(value)


#: a link to a web page (see :func:`web_url`)
WebUrl = Annotated[str, AfterValidator(web_url), Field(min_length=1, max_length=2000)]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        # control characters have no place in a profile, and XML (XLSX exports) cannot
        # hold them: refuse them at the door rather than lose them on export
        for text in (value if isinstance(value, list) else [value]):
            if isinstance(text, str) and _CONTROL.search(text):
                raise ValueError("contains control characters")
        return value


class FactIn(_In):
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    #: the same fact in English (``text`` is German); None where there is none
    text_en: Annotated[str, Field(max_length=2000)] | None = None
    source_url: WebUrl | None = None
    as_of: IsoDate | None = None


class SourceIn(_In):
    url: WebUrl
    accessed: IsoDate | None = None


class MemberIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    member_type: MemberType
    since: Year | None = None


class InitiativePatch(_In):
    """Profile fields; every one optional (PATCH sends only what changes)."""

    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    short_name: Annotated[str, Field(max_length=80)] | None = None
    sector: Short | None = None
    seat_town: Annotated[str, Field(max_length=120)] | None = None
    seat_region: Code | None = None
    scope: Literal["regional", "statewide"] | None = None
    managing_organisation: Short | None = None
    legal_form: Annotated[str, Field(max_length=80)] | None = None
    website: Annotated[str, AfterValidator(_web_url_or_empty),
                       Field(max_length=300)] | None = None
    founded: Year | None = None
    founded_on: IsoDate | None = None
    founding_occasion: Long | None = None
    goals: Long | None = None
    services: Long | None = None
    members_text: Long | None = None
    staff_text: Long | None = None
    # English variants of the free texts (the unsuffixed field is German): a page
    # shows its language's variant and falls back to the other
    sector_en: Short | None = None
    managing_organisation_en: Short | None = None
    founding_occasion_en: Long | None = None
    goals_en: Long | None = None
    services_en: Long | None = None
    members_text_en: Long | None = None
    staff_text_en: Long | None = None
    status: Literal["active", "merged", "closed"] | None = None
    status_since: IsoDate | None = None
    successor_id: Ident | None = None
    regions_served: Annotated[list[Code], Field(max_length=500)] | None = None
    categories: Annotated[list[Annotated[str, Field(pattern=r"^[a-z0-9_]{1,64}$")]],
                          Field(max_length=100)] | None = None
    visibility: dict[FieldGroup, bool] | None = None
    facts: Annotated[list[FactIn], Field(max_length=200)] | None = None
    sources: Annotated[list[SourceIn], Field(max_length=200)] | None = None
    members: Annotated[list[MemberIn], Field(max_length=5000)] | None = None


class InitiativeIn(InitiativePatch):
    """A new initiative: an id and a name at least."""

    id: Ident
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Literal["initiative", "agency"] = "initiative"


class KpiReportIn(_In):
    """The figures of one year; members by type, staff, budget and the KPIs."""

    members_sme: Count | None = None
    members_large: Count | None = None
    members_research: Count | None = None
    members_education: Count | None = None
    members_public: Count | None = None
    members_other: Count | None = None
    members_active: Count | None = None
    active_definition: Annotated[str, Field(max_length=500)] = ""
    committed_partners: Count | None = None
    staff_headcount: Count | None = None
    staff_fte: Annotated[float, Field(ge=0, le=100_000)] | None = None
    budget_eur: Amount | None = None
    public_cofunding_share: Annotated[float, Field(ge=0, le=100)] | None = Field(
        default=None, description="per cent of the budget")
    events: Count | None = None
    participants: Count | None = None
    collaboration_projects: Count | None = Field(
        default=None, description="projects with at least three firms")
    funded_projects: Count | None = None
    funded_volume_eur: Amount | None = None
    funding_sources: Annotated[str, Field(max_length=500)] = ""
    startups_supported: Count | None = None
    services_used: Count | None = None
    jobs_reported: Count | None = None
    investment_reported_eur: Amount | None = None
    satisfaction: Annotated[float, Field(ge=0, le=100)] | None = Field(
        default=None, description="per cent satisfied in the member survey")


KPI_FIELDS = tuple(KpiReportIn.model_fields)


class ReviewIn(_In):
    decision: Literal["accept", "return"]
    comment: Annotated[str, Field(max_length=5000)] = ""


class ProjectIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    topics: Long = ""
    start_year: Year | None = None
    end_year: Year | None = None
    funding_source: Annotated[str, Field(max_length=200)] = ""
    funding_eur: Amount | None = None
    description: Long = ""

    @field_validator("end_year")
    @classmethod
    def _ends_after_start(cls, v: int | None, info: Any) -> int | None:
        start = info.data.get("start_year")
        if v is not None and start is not None and v < start:
            raise ValueError(f"ends ({v}) before it starts ({start})")
        return v


class CooperationIn(_In):
    partner_initiative_id: Ident | None = None
    partner_region: Code | None = None
    partner_name: Annotated[str, Field(max_length=200)] = ""
    kind: Annotated[str, Field(max_length=40)] = ""
    since: Year | None = None
    description: Long = ""


class LabelIn(_In):
    label: Label
    valid_from: IsoDate | None = None
    valid_until: IsoDate | None = None
