"""SQLAlchemy models of the initiative registry (schema managed by Alembic).

An *initiative* is the aggregate: its served regions, categories, facts, sources,
member list, yearly KPI reports, projects, cooperations and labels belong to it and
are written, audited and restored together.  Users, API tokens, login sessions and the
audit trail stand beside it.  Rows that people edit concurrently carry a ``version``
that SQLAlchemy checks on every UPDATE (optimistic concurrency: a stale write changes
nothing and fails).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ApiToken", "AuditEntry", "Base", "Cooperation", "Initiative", "InitiativeCategory",
    "InitiativeFact", "InitiativeLabel", "InitiativeMember", "InitiativeRegion",
    "InitiativeSource", "KpiReport", "LoginSession", "Project", "User", "UserInitiative",
]


class Base(DeclarativeBase):
    pass


class Initiative(Base):
    """A cluster initiative (or, with ``kind='agency'``, a service agency)."""

    __tablename__ = "initiatives"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(80), default="")
    kind: Mapped[str] = mapped_column(String(20), default="initiative")
    sector: Mapped[str] = mapped_column(String(300), default="")
    seat_town: Mapped[str] = mapped_column(String(120), default="")
    seat_region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    scope: Mapped[str] = mapped_column(String(20), default="regional")
    managing_organisation: Mapped[str] = mapped_column(String(300), default="")
    legal_form: Mapped[str] = mapped_column(String(80), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    founded: Mapped[int | None] = mapped_column(Integer, nullable=True)
    founded_on: Mapped[str | None] = mapped_column(String(10), nullable=True)
    founding_occasion: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
    services: Mapped[str] = mapped_column(Text, default="")
    members_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    staff_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    # English variants of the free texts above (the unsuffixed column is German, the
    # registry's working language); NULL where the sources give no English wording
    sector_en: Mapped[str | None] = mapped_column(String(300), nullable=True)
    managing_organisation_en: Mapped[str | None] = mapped_column(String(300), nullable=True)
    founding_occasion_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    goals_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    services_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    members_text_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    staff_text_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    status_since: Mapped[str | None] = mapped_column(String(10), nullable=True)
    successor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # JSON {field group: public?}; see registry.schemas.FIELD_GROUPS
    visibility: Mapped[str] = mapped_column(Text, default="{}")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[str] = mapped_column(String(32), default="")
    updated_by: Mapped[str] = mapped_column(String(80), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)

    regions: Mapped[list[InitiativeRegion]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeRegion.region_code")
    categories: Mapped[list[InitiativeCategory]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeCategory.category_code")
    facts: Mapped[list[InitiativeFact]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeFact.position")
    sources: Mapped[list[InitiativeSource]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeSource.position")
    members: Mapped[list[InitiativeMember]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeMember.id")
    kpi_reports: Mapped[list[KpiReport]] = relationship(
        cascade="all, delete-orphan", order_by="KpiReport.year")
    projects: Mapped[list[Project]] = relationship(
        cascade="all, delete-orphan", order_by="Project.id")
    cooperations: Mapped[list[Cooperation]] = relationship(
        cascade="all, delete-orphan", order_by="Cooperation.id")
    labels: Mapped[list[InitiativeLabel]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeLabel.id")


def _owner() -> Mapped[str]:
    return mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)


class InitiativeRegion(Base):
    """A district the initiative serves (its *Raumschaft*)."""

    __tablename__ = "initiative_regions"

    initiative_id: Mapped[str] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)


class InitiativeCategory(Base):
    """A cluster category (agglomeration type) the initiative works on."""

    __tablename__ = "initiative_categories"

    initiative_id: Mapped[str] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True)
    category_code: Mapped[str] = mapped_column(String(64), primary_key=True)


class InitiativeFact(Base):
    """A public fact with the source it was taken from and the date it describes."""

    __tablename__ = "initiative_facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    initiative_id: Mapped[str] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # the English wording of the same fact (``text`` is German), NULL if none
    text_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    as_of: Mapped[str | None] = mapped_column(String(10), nullable=True)


class InitiativeSource(Base):
    __tablename__ = "initiative_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    initiative_id: Mapped[str] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    accessed: Mapped[str | None] = mapped_column(String(10), nullable=True)


class InitiativeMember(Base):
    """An entry of the optional member list."""

    __tablename__ = "initiative_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    initiative_id: Mapped[str] = _owner()
    name: Mapped[str] = mapped_column(String(200))
    member_type: Mapped[str] = mapped_column(String(20))
    since: Mapped[int | None] = mapped_column(Integer, nullable=True)


class KpiReport(Base):
    """The yearly report of one initiative: members by type, staff, budget and KPIs,
    with its review status (draft → submitted → accepted, or returned to draft)."""

    __tablename__ = "kpi_reports"
    __table_args__ = (UniqueConstraint("initiative_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    initiative_id: Mapped[str] = _owner()
    year: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    members_sme: Mapped[int | None] = mapped_column(Integer, nullable=True)
    members_large: Mapped[int | None] = mapped_column(Integer, nullable=True)
    members_research: Mapped[int | None] = mapped_column(Integer, nullable=True)
    members_education: Mapped[int | None] = mapped_column(Integer, nullable=True)
    members_public: Mapped[int | None] = mapped_column(Integer, nullable=True)
    members_other: Mapped[int | None] = mapped_column(Integer, nullable=True)
    members_active: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active_definition: Mapped[str] = mapped_column(Text, default="")
    committed_partners: Mapped[int | None] = mapped_column(Integer, nullable=True)
    staff_headcount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    staff_fte: Mapped[float | None] = mapped_column(Float, nullable=True)
    budget_eur: Mapped[float | None] = mapped_column(Float, nullable=True)
    public_cofunding_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    events: Mapped[int | None] = mapped_column(Integer, nullable=True)
    participants: Mapped[int | None] = mapped_column(Integer, nullable=True)
    collaboration_projects: Mapped[int | None] = mapped_column(Integer, nullable=True)
    funded_projects: Mapped[int | None] = mapped_column(Integer, nullable=True)
    funded_volume_eur: Mapped[float | None] = mapped_column(Float, nullable=True)
    funding_sources: Mapped[str] = mapped_column(Text, default="")
    startups_supported: Mapped[int | None] = mapped_column(Integer, nullable=True)
    services_used: Mapped[int | None] = mapped_column(Integer, nullable=True)
    jobs_reported: Mapped[int | None] = mapped_column(Integer, nullable=True)
    investment_reported_eur: Mapped[float | None] = mapped_column(Float, nullable=True)
    satisfaction: Mapped[float | None] = mapped_column(Float, nullable=True)
    reviewer_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    submitted_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    reviewed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(80), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class Project(Base):
    """A project run by the initiative (e.g. SEFEX), with its funding."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    initiative_id: Mapped[str] = _owner()
    name: Mapped[str] = mapped_column(String(200))
    topics: Mapped[str] = mapped_column(Text, default="")
    start_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    funding_source: Mapped[str] = mapped_column(String(200), default="")
    funding_eur: Mapped[float | None] = mapped_column(Float, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class Cooperation(Base):
    """A cooperation with another initiative, a region or another organisation."""

    __tablename__ = "cooperations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    initiative_id: Mapped[str] = _owner()
    partner_initiative_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    partner_region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    partner_name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(40), default="")
    since: Mapped[int | None] = mapped_column(Integer, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class InitiativeLabel(Base):
    """A quality label (ESCA/EUCLES, BW Cluster-Exzellenz, go-cluster) with validity."""

    __tablename__ = "initiative_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    initiative_id: Mapped[str] = _owner()
    label: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[str | None] = mapped_column(String(10), nullable=True)
    valid_until: Mapped[str | None] = mapped_column(String(10), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(12))
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(String(32), default="")

    initiatives: Mapped[list[UserInitiative]] = relationship(
        cascade="all, delete-orphan", order_by="UserInitiative.initiative_id")


class UserInitiative(Base):
    """An initiative whose profile and reports a manager keeps."""

    __tablename__ = "user_initiatives"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    initiative_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(32))
    last_used_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ISO time after which the token no longer works (None: until revoked)
    expires_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    revoked_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class LoginSession(Base):
    """A browser session: the cookie holds the secret, the table only its hash."""

    __tablename__ = "login_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[str] = mapped_column(String(32))


class AuditEntry(Base):
    """Who changed what when: the whole initiative before and after (JSON)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    initiative_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)
