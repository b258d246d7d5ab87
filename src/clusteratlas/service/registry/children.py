"""An initiative's projects, cooperations and labels: records with their own address
and version, written through the initiative (audited with it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from clusteratlas.errors import NotFoundError
from clusteratlas.registry import tables as m
from clusteratlas.registry.auth import ANONYMOUS, Actor
from clusteratlas.registry.fields import CHILDREN, Child
from clusteratlas.service.registry.initiatives import Initiatives
from clusteratlas.service.registry.unit import UnitOfWork, check_version, parse

__all__ = ["Children"]


def _find(i: m.Initiative, child: Child, child_id: int) -> Any:
    for row in getattr(i, child.name):
        if row.id == child_id:
            return row
    raise NotFoundError(f"initiative {i.id!r} has no {child.noun} {child_id}")


def _right(child: Child) -> str:
    # labels are awarded from outside: only the agency records them
    return "award_label" if child.admin_only else "edit"


class Children:
    """The child record use cases (``kind``: a key of :data:`registry.fields.CHILDREN`)."""

    def __init__(self, uow: UnitOfWork, initiatives: Initiatives) -> None:
        self.uow = uow
        self.initiatives = initiatives

    def items(self, initiative_id: str, kind: str,
             actor: Actor = ANONYMOUS) -> list[dict[str, Any]]:
        view = self.initiatives.get(initiative_id, actor)
        if kind not in view:
            raise NotFoundError(f"the {kind} of {initiative_id!r} are not public")
        out: list[dict[str, Any]] = view[kind]
        return out

    def get(self, initiative_id: str, kind: str, child_id: int,
            actor: Actor = ANONYMOUS) -> dict[str, Any]:
        for item in self.items(initiative_id, kind, actor):
            if item["id"] == child_id:
                return item
        raise NotFoundError(f"initiative {initiative_id!r} has no {kind[:-1]} {child_id}")

    def add(self, initiative_id: str, kind: str, data: Mapping[str, Any],
            actor: Actor) -> dict[str, Any]:
        child = CHILDREN[kind]
        item = parse(child.schema, data)
        made: list[Any] = []

        def change(s: Session, i: m.Initiative) -> None:
            row = child.model(**item.model_dump())
            getattr(i, kind).append(row)
            made.append(row)

        self.uow.change(initiative_id, actor, "add", kind, "new", change,
                        require_match=False, right=_right(child))
        return self.get(initiative_id, kind, made[0].id, actor)

    def update(self, initiative_id: str, kind: str, child_id: int,
               data: Mapping[str, Any], actor: Actor,
               if_match: int | str | None) -> dict[str, Any]:
        child = CHILDREN[kind]
        current = self.get(initiative_id, kind, child_id, actor)
        merged = {k: v for k, v in current.items() if k in child.schema.model_fields}
        item = parse(child.schema, merged | dict(data))

        def change(s: Session, i: m.Initiative) -> None:
            row = _find(i, child, child_id)
            check_version(f"{child.noun} {child_id}", row.version, if_match)
            for key, value in item.model_dump().items():
                setattr(row, key, value)

        self.uow.change(initiative_id, actor, "update", kind, str(child_id), change,
                        require_match=False, right=_right(child))
        return self.get(initiative_id, kind, child_id, actor)

    def delete(self, initiative_id: str, kind: str, child_id: int, actor: Actor,
               if_match: int | str | None) -> None:
        child = CHILDREN[kind]

        def change(s: Session, i: m.Initiative) -> None:
            row = _find(i, child, child_id)
            check_version(f"{child.noun} {child_id}", row.version, if_match)
            getattr(i, kind).remove(row)

        self.uow.change(initiative_id, actor, "delete", kind, str(child_id), change,
                        require_match=False, right=_right(child))
