"""An organisation's records are for its own admin and the regulator over it: one rule."""

from __future__ import annotations

import pytest

from fairscreen.identity.policy import Actor, OrgRef, access_org_as_admin_or_regulator
from fairscreen.shared.errors import Forbidden, NotFound

ORG = OrgRef("org-1", "employer", "reg-1")


def _staff(role: str, org_id: str, org_kind: str) -> Actor:
    return Actor("staff", "u", org_id=org_id, role=role, org_kind=org_kind)


def test_the_organisations_admin_and_its_regulator_are_allowed() -> None:
    assert access_org_as_admin_or_regulator(_staff("admin", "org-1", "employer"), ORG) == ORG
    assert access_org_as_admin_or_regulator(_staff("regulator", "reg-1", "regulator"), ORG) == ORG


def test_another_organisations_admin_and_another_regulator_find_nothing() -> None:
    with pytest.raises(NotFound):
        access_org_as_admin_or_regulator(_staff("admin", "org-2", "employer"), ORG)
    with pytest.raises(NotFound):
        access_org_as_admin_or_regulator(_staff("regulator", "reg-2", "regulator"), ORG)


def test_a_regulator_role_outside_a_regulator_organisation_is_refused() -> None:
    with pytest.raises(Forbidden):
        access_org_as_admin_or_regulator(_staff("regulator", "reg-1", "employer"), ORG)


@pytest.mark.parametrize("role", ["employer", "investigator"])
def test_other_staff_roles_are_refused(role: str) -> None:
    with pytest.raises(Forbidden):
        access_org_as_admin_or_regulator(_staff(role, "org-1", "employer"), ORG)
