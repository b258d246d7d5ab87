"""Initial registry schema: initiatives, served regions, categories, facts, sources.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "initiatives",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sector", sa.String(300), nullable=False),
        sa.Column("seat_town", sa.String(120), nullable=False),
        sa.Column("seat_region", sa.String(32), nullable=True),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("managing_organisation", sa.String(300), nullable=False),
        sa.Column("founded", sa.Integer, nullable=True),
        sa.Column("members_text", sa.Text, nullable=True),
        sa.Column("staff_text", sa.Text, nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "initiative_regions",
        sa.Column("initiative_id", sa.String(64),
                  sa.ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("region_code", sa.String(32), primary_key=True),
    )
    op.create_index("ix_initiative_regions_region", "initiative_regions", ["region_code"])
    op.create_table(
        "initiative_categories",
        sa.Column("initiative_id", sa.String(64),
                  sa.ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("category_code", sa.String(64), primary_key=True),
    )
    op.create_table(
        "initiative_facts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("initiative_id", sa.String(64),
                  sa.ForeignKey("initiatives.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "initiative_sources",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("initiative_id", sa.String(64),
                  sa.ForeignKey("initiatives.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("initiative_sources", "initiative_facts", "initiative_categories",
                  "initiative_regions", "initiatives"):
        op.drop_table(table)
