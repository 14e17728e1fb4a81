"""The demo world: a regulator, an employer, an agency, their users and cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from fairscreen.bootstrap import App
from fairscreen.cases.actions import do_open_case
from fairscreen.identity.actions import do_create_api_key, do_create_org, do_create_user
from fairscreen.identity.models import Org
from fairscreen.identity.policy import SYSTEM, Actor
from fairscreen.scope.actions import do_create_position

DEMO_PASSWORD = "demo-password"

# Extra steps later issues add to the demo (consent, findings, reports, disputes...).
# Each is a function (app, world) -> None, run in order on a fresh demo world.
STEPS: list[Any] = []


def seed_demo(app: App) -> dict[str, Any]:
    """Seed the demo world if the database has no organisations yet."""
    with app.reader() as tx:
        if (tx.session.scalar(select(func.count()).select_from(Org)) or 0) > 0:
            return {"seeded": False, "message": _message(existing=True)}
    regulator = do_create_org(
        app.uow(),
        actor=SYSTEM,
        name="示范市劳动保障监察局 (Demo Labour Inspectorate)",
        kind="regulator",
    )
    employer = do_create_org(
        app.uow(),
        actor=SYSTEM,
        name="示范科技有限公司 (Demo Tech Ltd)",
        kind="employer",
        regulator_id=regulator,
    )
    agency = do_create_org(
        app.uow(),
        actor=SYSTEM,
        name="公正背调服务有限公司 (Fair Checks Agency)",
        kind="agency",
        regulator_id=regulator,
    )
    users = {
        "hr@demo.example": (employer, "employer", "王芳 (HR)"),
        "admin@demo.example": (employer, "admin", "李强 (Admin)"),
        "investigator@agency.example": (agency, "investigator", "陈静 (Investigator)"),
        "officer@agency.example": (agency, "investigator", "赵磊 (Dispute officer)"),
        "agency-admin@agency.example": (agency, "admin", "周敏 (Agency admin)"),
        "inspector@labour.example": (regulator, "regulator", "刘洋 (Inspector)"),
    }
    ids: dict[str, str] = {}
    for email, (org_id, role, name) in users.items():
        ids[email] = do_create_user(
            app.uow(),
            actor=SYSTEM,
            org_id=org_id,
            email=email,
            role=role,
            name=name,
            password=DEMO_PASSWORD,
        )
    keys = {
        email: do_create_api_key(app.uow(), actor=SYSTEM, user_id=uid) for email, uid in ids.items()
    }
    hr = Actor(
        kind="staff",
        id=ids["hr@demo.example"],
        org_id=employer,
        role="employer",
        org_kind="employer",
    )
    positions = {
        "engineer": do_create_position(
            app.uow(),
            actor=hr,
            title="软件工程师 Software engineer",
            purpose="general",
            grade="staff",
        ),
        "finance": do_create_position(
            app.uow(),
            actor=hr,
            title="财务经理 Finance manager",
            purpose="finance",
            grade="manager",
        ),
        "driver": do_create_position(
            app.uow(), actor=hr, title="班车司机 Shuttle driver", purpose="driver", grade="staff"
        ),
    }
    candidates = [
        (
            "张伟",
            "zhang.wei@candidate.example",
            "engineer",
            ["identity", "education", "employment_history"],
        ),
        (
            "Li Na",
            "li.na@candidate.example",
            "finance",
            ["identity", "education", "employment_history", "credit"],
        ),
        (
            "陳美玲",
            "chen.meiling@candidate.example",
            "driver",
            ["identity", "driving_record", "criminal_record"],
        ),
    ]
    cases = []
    for name, email, pos, cats in candidates:
        case_id, token = do_open_case(
            app.uow(),
            actor=hr,
            position_id=positions[pos].id,
            candidate_name=name,
            candidate_email=email,
            categories=cats,
            agency_id=agency,
        )
        cases.append({"id": case_id, "token": token})
    world: dict[str, Any] = {
        "regulator": regulator,
        "employer": employer,
        "agency": agency,
        "users": ids,
        "api_keys": keys,
        "positions": {k: p.id for k, p in positions.items()},
        "cases": cases,
    }
    for step in STEPS:
        step(app, world)
    world["seeded"] = True
    world["message"] = _message(existing=False)
    return world


def _message(existing: bool) -> str:
    head = "Demo world already present." if existing else "Demo world seeded."
    base = "http://127.0.0.1:8000"
    return (
        f"{head} Sign in at {base}/login with hr@demo.example, investigator@agency.example, "
        f"admin@demo.example or inspector@labour.example (password: {DEMO_PASSWORD}). "
        f"Candidate links: `fairscreen outbox list`."
    )


def _feedback_step(app: App, world: dict[str, Any]) -> None:
    """Release, decide, dispute and complain on demo cases of their own."""
    from fairscreen.demo.feedback_step import feedback_step

    feedback_step(app, world)


STEPS.append(_feedback_step)


def _bias_audit_step(app: App, world: dict[str, Any]) -> None:
    """Generate screened candidates with volunteered demographics for the bias audit."""
    from fairscreen.demo.audit_step import bias_demo_step

    bias_demo_step(app, world, n=app.settings.demo_audit_cases)


STEPS.append(_bias_audit_step)
