"""One home for the labels of domain codes: complete for each code set, translated, shared."""

from __future__ import annotations

import re

import pytest

from fairscreen.cases.policy import STATUSES
from fairscreen.identity.policy import ORG_KINDS, ROLES
from fairscreen.ledger.event_types import EventType
from fairscreen.shared.catalogues import catalog
from fairscreen.web import labels
from fairscreen.web.pages import admin, candidate, investigator, regulator, staff

TABLES = sorted(n for n in dir(labels) if n.isupper() and isinstance(getattr(labels, n), dict))


def test_every_code_of_a_domain_code_set_has_its_label():
    assert set(labels.CASE_STATUS) == set(STATUSES)
    assert set(labels.ORG_KIND) == set(ORG_KINDS)
    assert set(labels.USER_ROLE) == set(ROLES)
    assert set(labels.EVENT_TYPE) == {member.value for member in EventType}


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize("table", TABLES)
def test_every_label_is_translated(table, lang):
    names = getattr(labels, table)
    assert names
    missing = [
        t for t in names.values() if not re.search(r"[\u4e00-\u9fff]", catalog(lang).get(t, ""))
    ]
    assert missing == []


def test_the_pages_show_the_labels_module_not_copies_of_it():
    assert staff.STATUS_LABELS is labels.CASE_STATUS
    assert staff.SEVERITY_LABELS is labels.SEVERITY
    assert admin.ROLE_NAMES is labels.USER_ROLE
    assert candidate.ITEM_STATES is labels.FEEDBACK_STATE_FOR_CANDIDATE
    assert investigator.REVIEW_OUTCOME_LABELS is labels.REVIEW_OUTCOME
    assert regulator.LABELS is labels.REGULATOR_FIGURE
