"""The full registry: profile fields, member lists, yearly KPI reports, projects,
cooperations, labels, dated facts and sources, users, tokens, sessions, audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_NEW_INITIATIVE_COLUMNS: list[sa.Column[Any]] = [
    sa.Column("short_name", sa.String(80), nullable=False, server_default=""),
    sa.Column("legal_form", sa.String(80), nullable=False, server_default=""),
    sa.Column("website", sa.String(300), nullable=False, server_default=""),
    sa.Column("founded_on", sa.String(10), nullable=True),
    sa.Column("founding_occasion", sa.Text, nullable=False, server_default=""),
    sa.Column("goals", sa.Text, nullable=False, server_default=""),
    sa.Column("services", sa.Text, nullable=False, server_default=""),
    sa.Column("status_since", sa.String(10), nullable=True),
    sa.Column("successor_id", sa.String(64), nullable=True),
    sa.Column("visibility", sa.Text, nullable=False, server_default="{}"),
    sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", sa.String(32), nullable=False, server_default=""),
    sa.Column("updated_by", sa.String(80), nullable=False, server_default=""),
]


def _owner() -> sa.Column[Any]:
    return sa.Column("initiative_id", sa.String(64),
                     sa.ForeignKey("initiatives.id", ondelete="CASCADE"), nullable=False,
                     index=True)


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _version() -> sa.Column[Any]:
    return sa.Column("version", sa.Integer, nullable=False, server_default="1")


def upgrade() -> None:
    with op.batch_alter_table("initiatives") as batch:
        for column in _NEW_INITIATIVE_COLUMNS:
            batch.add_column(column)
    with op.batch_alter_table("initiative_facts") as batch:
        batch.add_column(sa.Column("source_url", sa.Text, nullable=True))
        batch.add_column(sa.Column("as_of", sa.String(10), nullable=True))
    with op.batch_alter_table("initiative_sources") as batch:
        batch.add_column(sa.Column("accessed", sa.String(10), nullable=True))
    op.create_table(
        "initiative_members", _id(), _owner(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("member_type", sa.String(20), nullable=False),
        sa.Column("since", sa.Integer, nullable=True),
    )
    counts = ["members_sme", "members_large", "members_research", "members_education",
              "members_public", "members_other", "members_active", "committed_partners",
              "staff_headcount", "events", "participants", "collaboration_projects",
              "funded_projects", "startups_supported", "services_used", "jobs_reported"]
    amounts = ["staff_fte", "budget_eur", "public_cofunding_share", "funded_volume_eur",
               "investment_reported_eur", "satisfaction"]
    op.create_table(
        "kpi_reports", _id(), _owner(),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        *[sa.Column(c, sa.Integer, nullable=True) for c in counts],
        *[sa.Column(c, sa.Float, nullable=True) for c in amounts],
        sa.Column("active_definition", sa.Text, nullable=False, server_default=""),
        sa.Column("funding_sources", sa.Text, nullable=False, server_default=""),
        sa.Column("reviewer_comment", sa.Text, nullable=False, server_default=""),
        sa.Column("submitted_at", sa.String(32), nullable=True),
        sa.Column("submitted_by", sa.String(80), nullable=True),
        sa.Column("reviewed_at", sa.String(32), nullable=True),
        sa.Column("reviewed_by", sa.String(80), nullable=True),
        _version(),
        sa.UniqueConstraint("initiative_id", "year"),
    )
    op.create_table(
        "projects", _id(), _owner(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("topics", sa.Text, nullable=False, server_default=""),
        sa.Column("start_year", sa.Integer, nullable=True),
        sa.Column("end_year", sa.Integer, nullable=True),
        sa.Column("funding_source", sa.String(200), nullable=False, server_default=""),
        sa.Column("funding_eur", sa.Float, nullable=True),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        _version(),
    )
    op.create_table(
        "cooperations", _id(), _owner(),
        sa.Column("partner_initiative_id", sa.String(64), nullable=True),
        sa.Column("partner_region", sa.String(32), nullable=True),
        sa.Column("partner_name", sa.String(200), nullable=False, server_default=""),
        sa.Column("kind", sa.String(40), nullable=False, server_default=""),
        sa.Column("since", sa.Integer, nullable=True),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        _version(),
    )
    op.create_table(
        "initiative_labels", _id(), _owner(),
        sa.Column("label", sa.String(40), nullable=False),
        sa.Column("valid_from", sa.String(10), nullable=True),
        sa.Column("valid_until", sa.String(10), nullable=True),
        _version(),
    )
    op.create_table(
        "users", _id(),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.String(32), nullable=False, server_default=""),
    )
    op.create_table(
        "user_initiatives",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("initiative_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "api_tokens", _id(),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("last_used_at", sa.String(32), nullable=True),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "login_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "audit_log", _id(),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(80), nullable=False),
        sa.Column("initiative_id", sa.String(64), nullable=True, index=True),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
    )


def downgrade() -> None:
    for table in ("audit_log", "login_sessions", "api_tokens", "user_initiatives", "users",
                  "initiative_labels", "cooperations", "projects", "kpi_reports",
                  "initiative_members"):
        op.drop_table(table)
    with op.batch_alter_table("initiative_sources") as batch:
        batch.drop_column("accessed")
    with op.batch_alter_table("initiative_facts") as batch:
        batch.drop_column("as_of")
        batch.drop_column("source_url")
    with op.batch_alter_table("initiatives") as batch:
        for column in reversed(_NEW_INITIATIVE_COLUMNS):
            batch.drop_column(column.name)
