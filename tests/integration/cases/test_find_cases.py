"""Finding cases for the staff pages: who sees which, by state and by search."""

from __future__ import annotations

import pytest

from factories.world import make_world, open_case, staff
from fairscreen.cases.queries import find_cases, screening_agencies
from fairscreen.identity.actions import do_create_org
from fairscreen.identity.policy import SYSTEM
from fairscreen.shared.errors import Forbidden, ValidationFailed


def _ids(page) -> list[str]:
    return [c["id"] for c in page.items]


def test_the_search_matches_an_id_a_position_or_the_exact_e_mail(fs) -> None:
    world = make_world(fs)
    first, _ = open_case(world, email="li.na@candidate.example", name="李娜")
    second, _ = open_case(world, purpose="driver", categories=("identity",))
    hr = world["hr"].actor
    assert _ids(find_cases(fs.reader(), actor=hr)) == [second, first]  # newest first
    assert _ids(find_cases(fs.reader(), actor=hr, q=" Li.Na@Candidate.Example ")) == [first]
    assert _ids(find_cases(fs.reader(), actor=hr, q="li.na@candidate")) == []  # exact only
    assert _ids(find_cases(fs.reader(), actor=hr, q="DRIVER")) == [second]
    assert _ids(find_cases(fs.reader(), actor=hr, q=first[-8:])) == [first]
    assert _ids(find_cases(fs.reader(), actor=hr, q="100%_")) == []  # wildcards are literal
    page = find_cases(fs.reader(), actor=hr, q="li.na@candidate.example")
    assert page.items[0]["candidate"]["name"] == "李娜"
    assert page.items[0]["position_title"] == "general staff"


def test_the_state_filter_and_the_order_of_a_work_queue(fs) -> None:
    world = make_world(fs)
    first, _ = open_case(world)
    second, _ = open_case(world)
    inv = world["investigator"].actor
    page = find_cases(fs.reader(), actor=inv, status="awaiting_consent", oldest_first=True)
    assert _ids(page) == [first, second] and page.total == 2
    assert find_cases(fs.reader(), actor=inv, status="in_progress").total == 0
    with pytest.raises(ValidationFailed):
        find_cases(fs.reader(), actor=inv, status="lost")


def test_nobody_finds_the_cases_of_another_organisation(fs) -> None:
    world = make_world(fs)
    case_id, _ = open_case(world, email="li.na@candidate.example")
    other = do_create_org(fs.uow(), actor=SYSTEM, name="Other Co", kind="employer")
    outsider = staff(fs, other, "employer").actor
    assert find_cases(fs.reader(), actor=outsider, q="li.na@candidate.example").total == 0
    assert find_cases(fs.reader(), actor=outsider, q=case_id).total == 0
    with pytest.raises(Forbidden):
        find_cases(fs.reader(), actor=world["inspector"].actor)


def test_employers_choose_among_the_screening_agencies(fs) -> None:
    world = make_world(fs)
    agencies = screening_agencies(fs.reader(), actor=world["hr"].actor)
    assert agencies == [{"id": world.agency, "name": "Agency Co"}]
    with pytest.raises(Forbidden):
        screening_agencies(fs.reader(), actor=world["investigator"].actor)


def test_counting_stops_at_the_cap_and_says_there_are_more(fs, monkeypatch):
    from fairscreen.cases import queries
    from fairscreen.cases.queries import list_cases

    world = make_world(fs)
    for i in range(3):
        open_case(world, email=f"c{i}@cap.example")
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    page = list_cases(fs.reader(), actor=world["hr"].actor, limit=10)
    assert (page.total, page.total_capped, len(page.items)) == (2, True, 3)
    found = find_cases(fs.reader(), actor=world["hr"].actor, limit=10)
    assert (found.total, found.total_capped) == (2, True)
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    page = list_cases(fs.reader(), actor=world["hr"].actor, limit=10)
    assert (page.total, page.total_capped) == (3, False)
