"""Factories: organisations, users with API keys, positions and cases, through the actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fairscreen.bootstrap import App
from fairscreen.cases.actions import do_open_case
from fairscreen.identity.actions import (
    authenticate_api_key,
    do_create_api_key,
    do_create_org,
    do_create_user,
)
from fairscreen.identity.policy import SYSTEM, Actor
from fairscreen.scope.actions import do_create_position


@dataclass
class Staff:
    actor: Actor
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


@dataclass
class World:
    app: App
    regulator: str
    employer: str
    agency: str
    staff: dict[str, Staff] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Staff:
        return self.staff[key]


_counter = iter(range(10**9))


def password_for(role: str) -> str:
    """Return the sign-in password the factories give a user of `role` (12+ characters)."""
    return f"{role}-password"


def staff(app: App, org_id: str, role: str) -> Staff:
    n = next(_counter)
    user_id = do_create_user(
        app.uow(),
        actor=SYSTEM,
        org_id=org_id,
        email=f"{role}{n}@t.example",
        role=role,
        password=password_for(role),
    )
    key = do_create_api_key(app.uow(), actor=SYSTEM, user_id=user_id)
    return Staff(authenticate_api_key(app.reader(), key), key)


def make_world(app: App) -> World:
    """A regulator, an employer and an agency under it, and one user per role."""
    regulator = do_create_org(app.uow(), actor=SYSTEM, name="Inspectorate", kind="regulator")
    employer = do_create_org(
        app.uow(), actor=SYSTEM, name="Employer Co", kind="employer", regulator_id=regulator
    )
    agency = do_create_org(
        app.uow(), actor=SYSTEM, name="Agency Co", kind="agency", regulator_id=regulator
    )
    world = World(app, regulator, employer, agency)
    world.staff["hr"] = staff(app, employer, "employer")
    world.staff["admin"] = staff(app, employer, "admin")
    world.staff["investigator"] = staff(app, agency, "investigator")
    world.staff["agency_admin"] = staff(app, agency, "admin")
    world.staff["inspector"] = staff(app, regulator, "regulator")
    return world


def position(app: App, hr: Staff, purpose: str = "general", grade: str = "staff") -> Any:
    return do_create_position(
        app.uow(), actor=hr.actor, title=f"{purpose} {grade}", purpose=purpose, grade=grade
    )


def open_case(
    world: World,
    *,
    purpose: str = "general",
    grade: str = "staff",
    categories: tuple[str, ...] = ("identity", "education"),
    name: str = "张伟",
    email: str = "zhang.wei@candidate.example",
) -> tuple[str, str]:
    pos = position(world.app, world["hr"], purpose, grade)
    return do_open_case(
        world.app.uow(),
        actor=world["hr"].actor,
        position_id=pos.id,
        candidate_name=name,
        candidate_email=email,
        categories=list(categories),
        agency_id=world.agency,
    )
