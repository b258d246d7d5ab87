"""English variants of the registry's free texts (sector, managing organisation,
founding occasion, goals, services, members and staff texts, facts).

The unsuffixed columns hold the German wording (the registry's working language); the
new ``*_en`` columns the English one, NULL where there is none.  Existing rows keep
their text in the German column whatever its language: the migration cannot tell, and
an editor moves an English text into the English field through the form.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_INITIATIVE_COLUMNS = (
    ("sector_en", sa.String(300)),
    ("managing_organisation_en", sa.String(300)),
    ("founding_occasion_en", sa.Text()),
    ("goals_en", sa.Text()),
    ("services_en", sa.Text()),
    ("members_text_en", sa.Text()),
    ("staff_text_en", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("initiatives") as batch:
        for name, kind in _INITIATIVE_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    with op.batch_alter_table("initiative_facts") as batch:
        batch.add_column(sa.Column("text_en", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("initiative_facts") as batch:
        batch.drop_column("text_en")
    with op.batch_alter_table("initiatives") as batch:
        for name, _ in reversed(_INITIATIVE_COLUMNS):
            batch.drop_column(name)
