"""Demo: a few hundred generated cases with volunteered demographics, for the bias audit."""

from __future__ import annotations

import random
from typing import Any

from fairscreen.audit.actions import do_record_demographics
from fairscreen.bootstrap import App
from fairscreen.cases.actions import authenticate_candidate, do_open_case
from fairscreen.consent.actions import do_sign_consent
from fairscreen.demo.people import identifiers, subject
from fairscreen.identity.actions import authenticate_api_key
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding

SEXES = ("female", "male")
BANDS = ("under_25", "25_34", "35_44", "45_54", "55_plus")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"


def bias_demo_step(app: App, world: dict[str, Any], n: int = 240) -> None:
    """Generate `n` screened candidates through the real actions (deterministic)."""
    rng = random.Random(20261123)
    hr = authenticate_api_key(app.reader(), world["api_keys"]["hr@demo.example"])
    inv = authenticate_api_key(app.reader(), world["api_keys"]["investigator@agency.example"])
    position = world["positions"]["engineer"]
    for i in range(n):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        case_id, token = do_open_case(
            app.uow(),
            actor=hr,
            position_id=position,
            candidate_name=name,
            candidate_email=f"audit{i}@candidate.example",
            categories=["identity", "education"],
            agency_id=world["agency"],
        )
        candidate = authenticate_candidate(app.reader(), token)
        do_sign_consent(
            app.uow(),
            actor=candidate,
            full_name=name,
            agree=True,
            categories=["identity", "education"],
            separate_consent=[],
            identifiers=identifiers(i),
        )
        sex, band = rng.choice(SEXES), rng.choice(BANDS)
        # Outcomes are drawn independently of the answers, as a fair process would give.
        adverse = rng.random() < 0.15
        finding = do_record_finding(
            app.uow(),
            actor=inv,
            case_id=case_id,
            category="education",
            claim="所申报学位未获授予" if adverse else "学位经学信网核实属实",
            adverse=adverse,
            severity="falsified" if adverse else None,
        )
        do_add_source(
            app.uow(),
            actor=inv,
            finding_id=finding.id,
            kind="official_registry",
            origin="学信网 (CHSI)",
            supports=True,
            subject=subject(name, i),
        )
        do_release_report(app.uow(), actor=inv, case_id=case_id)
        if rng.random() < 0.85:  # answering is voluntary
            do_record_demographics(
                app.uow(), actor=candidate, consent=True, answers={"sex": sex, "age_band": band}
            )
