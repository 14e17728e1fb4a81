"""Mail to a candidate is written in the language of the consent page they signed."""

from __future__ import annotations

from sqlalchemy import select

from factories.consent import IDENTIFIERS, candidate, record_subject
from factories.world import make_world, open_case
from fairscreen.consent.actions import do_sign_consent
from fairscreen.mail.models import QueuedMail
from fairscreen.rating.actions import do_release_report
from fairscreen.verification.actions import do_add_source, do_record_finding


def _release(world, case_id):
    inv = world["investigator"].actor
    finding_id = do_record_finding(
        world.app.uow(),
        actor=inv,
        case_id=case_id,
        category="education",
        claim="Declared degree was not conferred",
        adverse=True,
        severity="material",
    ).id
    do_add_source(
        world.app.uow(),
        actor=inv,
        finding_id=finding_id,
        kind="official_registry",
        origin="CHSI registry",
        supports=True,
        subject=record_subject(),
    )
    do_release_report(world.app.uow(), actor=inv, case_id=case_id)


def _signed_in(world, lang, email):
    case_id, token = open_case(world, categories=("identity", "education"), email=email)
    do_sign_consent(
        world.app.uow(),
        actor=candidate(world, token),
        full_name="张伟",
        agree=True,
        categories=["identity", "education"],
        lang=lang,
        identifiers=IDENTIFIERS,
    )
    _release(world, case_id)
    return case_id


def test_a_candidate_who_signed_in_traditional_chinese_is_written_to_in_it(fs):
    world = make_world(fs)
    hant = _signed_in(world, "zh-Hant", "hant@candidate.example")
    hans = _signed_in(world, "zh-Hans", "hans@candidate.example")
    by_to = {m.to: m for m in fs.outbox() if "pre-adverse" in m.subject}
    assert by_to["hant@candidate.example"].subject.startswith("背景調查報告與事先通知 / ")
    assert by_to["hans@candidate.example"].subject.startswith("背景调查报告与事先通知 / ")
    assert "事先通知" in by_to["hant@candidate.example"].body
    with fs.reader() as uow:
        rows = set(uow.session.execute(select(QueuedMail.case_id, QueuedMail.lang)).all())
    # The invitation went before any signature (the default language), the notice after.
    assert {(hant, "zh-Hans"), (hant, "zh-Hant"), (hans, "zh-Hans")} <= rows
    assert all(lang is not None for _case, lang in rows)


def test_an_english_signature_gets_english_mail_only(fs):
    world = make_world(fs)
    _signed_in(world, "en", "en@candidate.example")
    mail = [m for m in fs.outbox() if m.to == "en@candidate.example" and "Report" in m.subject]
    assert mail and mail[-1].subject == "Report and pre-adverse notice"
    assert "您" not in mail[-1].body
