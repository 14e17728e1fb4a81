"""Factories for the steps after the invitation: consent signed, findings with sources."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from factories.world import World, open_case
from fairscreen.cases.actions import authenticate_candidate
from fairscreen.consent.actions import do_sign_consent
from fairscreen.identity.policy import Actor
from fairscreen.scope.policy import load_pack

# The candidate's own identifiers, given with consent: records about a person attach to
# the candidate only by them (matching/policy.py).
IDENTIFIERS = {
    "id_number": "11010519900307123X",
    "date_of_birth": "1990-03-07",
    "addresses": ["北京市朝阳区建国路88号"],
}


def record_subject(name: str = "张伟") -> dict[str, str]:
    """The person a registry record of the candidate names: name, ID number, birth date."""
    return {
        "name": name,
        "id_number": IDENTIFIERS["id_number"],
        "date_of_birth": IDENTIFIERS["date_of_birth"],
    }


def candidate(world: World, token: str) -> Actor:
    return authenticate_candidate(world.app.reader(), token)


def sign(
    world: World,
    token: str,
    name: str,
    categories: Sequence[str],
    identifiers: Mapping[str, Any] | None = IDENTIFIERS,
) -> None:
    do_sign_consent(
        world.app.uow(),
        actor=candidate(world, token),
        full_name=name,
        agree=True,
        categories=list(categories),
        separate_consent=[c for c in categories if load_pack().is_sensitive(c)],
        identifiers=identifiers,
    )


def consented_case(
    world: World,
    *,
    purpose: str = "general",
    grade: str = "staff",
    categories: tuple[str, ...] = ("identity", "education"),
    name: str = "张伟",
    email: str = "zhang.wei@candidate.example",
    identifiers: Mapping[str, Any] | None = IDENTIFIERS,
) -> tuple[str, str]:
    """Open a case and have the candidate sign consent for every category; (id, token)."""
    case_id, token = open_case(
        world, purpose=purpose, grade=grade, categories=categories, name=name, email=email
    )
    sign(world, token, name, categories, identifiers)
    return case_id, token


def fresh_token(world: World, email: str = "zhang.wei@candidate.example") -> str:
    """Ask for a fresh link as the candidate does at /c/renew (a signed case's link lives
    only days); return the token of the link mailed to the address."""
    from fairscreen.cases.actions import do_renew_candidate_link

    do_renew_candidate_link(world.app.uow(), email=email)
    links = [m.link for m in world.app.outbox() if m.to == email and m.link]
    return links[-1].rsplit("/", 1)[1]
