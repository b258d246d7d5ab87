"""SQLAlchemy models of the initiative registry (schema managed by Alembic)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["Base", "Initiative", "InitiativeCategory", "InitiativeFact", "InitiativeRegion",
           "InitiativeSource"]


class Base(DeclarativeBase):
    pass


class Initiative(Base):
    """A cluster initiative (or, with ``kind='agency'``, a service agency)."""

    __tablename__ = "initiatives"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="initiative")
    sector: Mapped[str] = mapped_column(String(300), default="")
    seat_town: Mapped[str] = mapped_column(String(120), default="")
    seat_region: Mapped[str | None] = mapped_column(String(32), nullable=True)
    scope: Mapped[str] = mapped_column(String(20), default="regional")
    managing_organisation: Mapped[str] = mapped_column(String(300), default="")
    founded: Mapped[int | None] = mapped_column(Integer, nullable=True)
    members_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    staff_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)

    regions: Mapped[list[InitiativeRegion]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeRegion.region_code"
    )
    categories: Mapped[list[InitiativeCategory]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeCategory.category_code"
    )
    facts: Mapped[list[InitiativeFact]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeFact.position"
    )
    sources: Mapped[list[InitiativeSource]] = relationship(
        cascade="all, delete-orphan", order_by="InitiativeSource.position"
    )


class InitiativeRegion(Base):
    """A district the initiative serves (its *Raumschaft*)."""

    __tablename__ = "initiative_regions"

    initiative_id: Mapped[str] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )
    region_code: Mapped[str] = mapped_column(String(32), primary_key=True)


class InitiativeCategory(Base):
    """A cluster category (agglomeration type) the initiative works on."""

    __tablename__ = "initiative_categories"

    initiative_id: Mapped[str] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True
    )
    category_code: Mapped[str] = mapped_column(String(64), primary_key=True)


class InitiativeFact(Base):
    __tablename__ = "initiative_facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    initiative_id: Mapped[str] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class InitiativeSource(Base):
    __tablename__ = "initiative_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    initiative_id: Mapped[str] = mapped_column(ForeignKey("initiatives.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
