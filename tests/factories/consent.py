"""Factories for the steps after the invitation: consent signed, findings with sources."""

from __future__ import annotations

from collections.abc import Sequence

from factories.world import World, open_case
from fairscreen.cases.actions import authenticate_candidate
from fairscreen.consent.actions import do_sign_consent
from fairscreen.identity.policy import Actor
from fairscreen.scope.policy import load_pack


def candidate(world: World, token: str) -> Actor:
    return authenticate_candidate(world.app.reader(), token)


def sign(world: World, token: str, name: str, categories: Sequence[str]) -> None:
    do_sign_consent(
        world.app.uow(),
        actor=candidate(world, token),
        full_name=name,
        agree=True,
        categories=list(categories),
        separate_consent=[c for c in categories if load_pack().is_sensitive(c)],
    )


def consented_case(
    world: World,
    *,
    purpose: str = "general",
    grade: str = "staff",
    categories: tuple[str, ...] = ("identity", "education"),
    name: str = "张伟",
    email: str = "zhang.wei@candidate.example",
) -> tuple[str, str]:
    """Open a case and have the candidate sign consent for every category; (id, token)."""
    case_id, token = open_case(
        world, purpose=purpose, grade=grade, categories=categories, name=name, email=email
    )
    sign(world, token, name, categories)
    return case_id, token
