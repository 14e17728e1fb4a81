"""The demo shows every feedback state: waiting, decided, disputes (one overdue), a complaint."""

from __future__ import annotations

from sqlalchemy import select

from fairscreen.cases.models import Case
from fairscreen.demo import seed_demo
from fairscreen.feedback.models import FeedbackItem


def test_the_demo_brings_cases_into_each_feedback_state(fs):
    world = seed_demo(fs)
    ids = world["feedback"]
    with fs.reader() as uow:
        assert uow.session.get(Case, ids["waiting"]).status == "report_released"
        assert uow.session.get(Case, ids["decided"]).status == "decided"
        items = uow.session.scalars(select(FeedbackItem)).all()
        now = fs.clock.now()
        disputes = [i for i in items if i.kind == "dispute"]
        assert {i.status for i in disputes} == {"open"}
        assert any(i.due_at.replace(tzinfo=now.tzinfo) < now for i in disputes)
        assert [(i.kind, i.status) for i in items if i.kind == "complaint"] == [
            ("complaint", "resolved")
        ]
