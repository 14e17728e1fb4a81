"""The authorisation matrix: every route of the OpenAPI document, called as every kind of caller.

The policy table below is the product's intended policy, written from the access checks
(`identity/policy.py` and the `access_*`/`require_*` calls of each module) and CONTRACT.md:
for each route and caller, `ok` (the call passed authorisation: any answer but 401, 403 or
404), `401` (no credentials), `403` (the role or organisation may not do this) or `404`
(an object of another organisation, or one the caller may not know exists).

Columns, the same order on every row:

- the case's owners: the employer's `employer` and `admin`, the agency's `investigator`
  and `admin`;
- another employer's `employer` and `admin`, another agency's `investigator` and `admin`
  (organisations with nothing to do with the case, under another regulator);
- the regulator over the case's organisations, and a regulator over the others;
- the candidate of the case, the candidate of another case of the same employer and agency;
- anonymous.

A role that may never do a thing is refused for its role (403) before any object is looked
up; a role that may, asking for another organisation's object, is told nothing (404).

Denied callers are called first, on every route; the allowed callers come last, the
candidate's withdrawal (which destroys the case) at the very end, so that no call spoils
another.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from factories.consent import record_subject
from factories.security import PNG, Scene, build_scene
from fairscreen.bootstrap import App
from fairscreen.settings import Settings
from fairscreen.web.app import create_app

CALLERS = (
    "emp_hr",
    "emp_admin",
    "agy_inv",
    "agy_admin",
    "oemp_hr",
    "oemp_admin",
    "oagy_inv",
    "oagy_admin",
    "reg",
    "oreg",
    "cand",
    "ocand",
    "anon",
)
OUTCOMES = ("ok", "401", "403", "404")
DENIED = {"401": 401, "403": 403, "404": 404}
CODES = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}

# Rows that recur; the cells in the order of CALLERS.
PUBLIC = "  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok"
ANY_STAFF = "  ok  ok  ok  ok  ok  ok  ok  ok  ok  ok 403 403 401"
CANDIDATE = " 403 403 403 403 403 403 403 403 403 403  ok  ok 401"
# The candidate's routes naming an object of the case: the other candidate is not told of it.
CANDIDATE_OBJECT = " 403 403 403 403 403 403 403 403 403 403  ok 404 401"
# Case files: its staff see them; other organisations and the regulator do not know them.
CASE_STAFF = "  ok  ok  ok  ok 404 404 404 404 404 404 403 403 401"
# The investigation: only the investigators of the organisation doing the check.
INVESTIGATOR = " 403 403  ok 403 404 404 404 404 404 404 403 403 401"
# The hiring side: only the employer's HR (and its admin).
EMPLOYER = "  ok  ok 403 403 404 404 404 404 404 404 403 403 401"
# The case lists and desks of any organisation that works on cases (not the regulator's).
WORKING_STAFF = "  ok  ok  ok  ok  ok  ok  ok  ok 403 403 403 403 401"
# An organisation's own admin only (the path names the employer).
ORG_ADMIN = " 403  ok 403 404 403 404 403 404 403 403 403 403 401"
# An organisation's own admin, or the regulator over it.
ORG_ADMIN_OR_REGULATOR = " 403  ok 403 404 403 404 403 404  ok 404 403 403 401"
# The employer's desk (complaints, re-reviews): the agency is not told of its items.
EMPLOYER_DESK = "  ok  ok 404 404 404 404 404 404 404 404 403 403 401"
# An organisation's own staff only (the path names the employer).
ORG_STAFF = "  ok  ok 404 404 404 404 404 404 404 404 403 403 401"
# Its admin; the regulator over it sees the organisation but may not do this.
ORG_ADMIN_REGULATOR_REFUSED = " 403  ok 403 404 403 404 403 404 403 404 403 403 401"
# The regulator's own views.
REGULATOR_OVER = " 403 403 403 403 403 403 403 403  ok 404 403 403 401"

API = "/api/v1"
POLICY: dict[str, str] = {
    # ---- meta, scope, cases ----------------------------------------------------------
    "GET /categories": ANY_STAFF,
    "GET /health": PUBLIC,
    "GET /positions": ANY_STAFF,  # each organisation's own list (empty for most)
    "POST /positions": "  ok  ok 403 403  ok  ok 403 403 403 403 403 403 401",
    "GET /positions/{position_id}": "  ok  ok 404 404 404 404 404 404 404 404 403 403 401",
    # The position named in the body is the employer's: another organisation's admin is
    # not told it exists; a role that never opens cases is refused for its role.
    "POST /cases": "  ok  ok 403 404 404 404 403 404 403 403 403 403 401",
    "GET /cases": WORKING_STAFF,
    "GET /cases/{case_id}": CASE_STAFF,
    # ---- the candidate: consent --------------------------------------------------------
    "GET /candidate/case": CANDIDATE,
    "POST /candidate/consent": CANDIDATE,
    "POST /candidate/consent/refuse": CANDIDATE,
    "POST /candidate/consent/withdraw": CANDIDATE,
    "GET /candidate/consent/receipt": CANDIDATE,
    # ---- the public ledger -------------------------------------------------------------
    "GET /ledger/checkpoint": PUBLIC,
    "GET /ledger/public-key": PUBLIC,
    "GET /ledger/proof/inclusion": PUBLIC,
    "GET /ledger/proof/consistency": PUBLIC,
    # Event bodies: each organisation's own staff, and the regulator over it.
    "GET /ledger/events": ANY_STAFF,
    # ---- verification and the report ---------------------------------------------------
    "POST /cases/{case_id}/findings": INVESTIGATOR,
    "POST /findings/{finding_id}/sources": INVESTIGATOR,
    "POST /findings/{finding_id}/evidence": INVESTIGATOR,
    "GET /evidence/{evidence_id}": "  ok  ok  ok  ok 404 404 404 404 404 404  ok 404 401",
    "POST /cases/{case_id}/report": INVESTIGATOR,
    "GET /cases/{case_id}/reports": CASE_STAFF,
    "GET /candidate/report": CANDIDATE,
    "GET /rating-rules": PUBLIC,
    # ---- retention ---------------------------------------------------------------------
    "POST /candidate/erasure": CANDIDATE,
    # Any admin of an organisation of the case may suspend its destruction ...
    "POST /cases/{case_id}/legal-hold": " 403  ok 403  ok 403 404 403 404 403 403 403 403 401",
    # ... but only the organisation that placed a hold may lift it.
    "POST /legal-holds/{hold_id}/release": ORG_ADMIN,
    "GET /cases/{case_id}/deletion-certificate": CASE_STAFF,
    "PUT /organizations/{org_id}/retention-policy": ORG_ADMIN,
    "GET /organizations/{org_id}/retention-policy": ORG_STAFF,
    "PUT /organizations/{org_id}/mail-domains": ORG_ADMIN,
    "GET /organizations/{org_id}/mail-domains": ORG_ADMIN,
    # ---- webhooks ----------------------------------------------------------------------
    "POST /webhooks": " 403  ok 403  ok 403  ok 403  ok 403 403 403 403 401",
    "GET /webhooks/{endpoint_id}/deliveries": ORG_ADMIN,
    "POST /webhooks/deliveries/{delivery_id}/redeliver": ORG_ADMIN,
    "PATCH /webhooks/{endpoint_id}": ORG_ADMIN,
    "POST /webhooks/{endpoint_id}/disable": ORG_ADMIN,
    "POST /webhooks/{endpoint_id}/enable": ORG_ADMIN,
    "DELETE /webhooks/{endpoint_id}": ORG_ADMIN,
    # ---- privacy -----------------------------------------------------------------------
    "GET /organizations/{org_id}/processing-record": ORG_ADMIN_OR_REGULATOR,
    # The regulator reads the record; writing the organisation's assessment is not its role.
    "POST /organizations/{org_id}/impact-assessments": ORG_ADMIN_REGULATOR_REFUSED,
    # A breach of the case's data may be recorded by either organisation holding it.
    "POST /breaches": " 403  ok 403  ok 403 404 403 404 403 403 403 403 401",
    "GET /breaches/{breach_id}": ORG_ADMIN_OR_REGULATOR,
    "POST /breaches/{breach_id}/notify-regulator": ORG_ADMIN,
    "POST /breaches/{breach_id}/notify-candidates": ORG_ADMIN,
    # ---- the bias audit and the candidate's own data -----------------------------------
    "POST /candidate/demographics": CANDIDATE,
    "GET /audit/bias": ORG_ADMIN_OR_REGULATOR,
    "POST /candidate/findings/{finding_id}/account": CANDIDATE_OBJECT,
    "POST /candidate/identifiers": CANDIDATE,
    # ---- result feedback ---------------------------------------------------------------
    "GET /decision-reasons": ANY_STAFF,
    "POST /cases/{case_id}/decision": EMPLOYER,
    "POST /cases/{case_id}/assessment": EMPLOYER,
    "GET /candidate/disputes": CANDIDATE,
    "POST /candidate/disputes": CANDIDATE_OBJECT,  # names a finding of the case
    "GET /candidate/complaints": CANDIDATE,
    "POST /candidate/complaints": CANDIDATE,
    "POST /candidate/disputes/{item_id}/satisfaction": CANDIDATE_OBJECT,
    "POST /candidate/complaints/{item_id}/satisfaction": CANDIDATE_OBJECT,
    "GET /disputes": WORKING_STAFF,
    "GET /complaints": WORKING_STAFF,
    # The agency owns the dispute; the employer knows of it but does not handle it.
    "POST /disputes/{dispute_id}/start": " 403 403  ok  ok 404 404 404 404 404 404 403 403 401",
    "POST /disputes/{dispute_id}/resolve": INVESTIGATOR,
    # The employer's HR owns the complaint; the agency is not told of it.
    "POST /complaints/{complaint_id}/answer": EMPLOYER_DESK,
    # Human re-review of the decision against the candidate: the employer's desk again.
    "GET /candidate/reviews": CANDIDATE,
    "POST /candidate/reviews": CANDIDATE,
    "POST /candidate/reviews/{item_id}/satisfaction": CANDIDATE_OBJECT,
    "GET /reviews": WORKING_STAFF,
    "POST /reviews/{review_id}/answer": EMPLOYER_DESK,
    # ---- the regulator -----------------------------------------------------------------
    "GET /regulator/organizations": " 403 403 403 403 403 403 403 403  ok  ok 403 403 401",
    "GET /regulator/organizations/{org_id}/compliance": REGULATOR_OVER,
    "GET /organizations/{org_id}/compliance": ORG_ADMIN_OR_REGULATOR,
    "GET /regulator/cases/{case_id}/timeline": REGULATOR_OVER,
}

# Where the product answers otherwise than the policy, found by this test and reported.
# Each entry: (route, caller) -> (the answer seen, why it is wrong). The test checks that
# the answer is still the one seen, so a fix shows up as a failure: then delete the entry.
KNOWN_DEVIATIONS: dict[tuple[str, str], tuple[int, str]] = {}

# Calls run last (in this order): they change what the other calls rely on.
LAST = (
    "DELETE /webhooks/{endpoint_id}",
    "POST /candidate/erasure",
    "POST /candidate/consent/withdraw",
)


def _parse(row: str) -> tuple[str, ...]:
    cells = tuple(row.split())
    assert len(cells) == len(CALLERS), row
    assert all(c in OUTCOMES for c in cells), row
    return cells


def _path_ids(scene: Scene, path: str) -> dict[str, str]:
    ids = dict(scene.ids)
    if path == "/cases/{case_id}/deletion-certificate":
        ids["case_id"] = ids["destroyed_case"]
    kind = path.split("/")[2] if path.startswith("/candidate/") else ""
    ids["item_id"] = {"complaints": ids["complaint_id"], "reviews": ids["review_id"]}.get(
        kind, ids["dispute_id"]
    )
    return ids


def _query(scene: Scene, path: str) -> dict[str, Any]:
    return {
        "/ledger/proof/inclusion": {"index": 0, "size": 1},
        "/ledger/proof/consistency": {"first": 1, "second": 2},
        "/ledger/events": {"from": 0, "limit": 5},
        "/audit/bias": {"org": scene.ids["org_id"]},
    }.get(path, {})


def _body(scene: Scene, route: str) -> dict[str, Any]:
    """A valid body for each route, so that a refusal is about the caller, not the input."""
    ids, now = scene.ids, scene.world.app.clock.now()
    texts = {
        "nature_gravity": "A degree declared but not conferred",
        "time_elapsed": "Two years ago",
        "relation_to_duties": "The role requires the degree",
        "candidate_account": "The candidate gave no account",
        "conclusion": "Directly related to the duties",
    }
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        "POST /positions": {"title": "Accountant", "purpose": "general", "grade": "staff"},
        "POST /cases": {
            "position_id": ids["position_id"],
            "agency_id": ids["agency_id"],
            "candidate": {"name": "陈静", "email": "chen.jing@candidate.example"},
            "categories": ["identity", "education"],
        },
        "POST /candidate/consent": {
            "full_name": "张伟",
            "agree": True,
            "categories": ["identity", "education"],
        },
        "POST /candidate/consent/refuse": {"lang": "en"},
        "POST /cases/{case_id}/findings": {
            "category": "education",
            "claim": "Bachelor's degree confirmed by the university",
        },
        "POST /findings/{finding_id}/sources": {
            "kind": "official_registry",
            "origin": "Ministry of Education registry",
            "supports": True,
            "subject": record_subject(),
        },
        "POST /cases/{case_id}/legal-hold": {
            "reason": "Pending arbitration",
            "ends_at": (now + timedelta(days=90)).isoformat(),
        },
        "PUT /organizations/{org_id}/retention-policy": {},
        "PUT /organizations/{org_id}/mail-domains": {"mail_domains": ["employer.example"]},
        "POST /webhooks": {"url": "https://ats.example/other", "events": ["case.destroyed"]},
        "PATCH /webhooks/{endpoint_id}": {"events": ["case.destroyed", "report.released"]},
        "POST /breaches": {
            "description": "A file was sent to the wrong address",
            "discovered_at": (now - timedelta(hours=1)).isoformat(),
            "case_ids": [ids["case_id"]],
        },
        "POST /candidate/demographics": {"consent": True, "sex": "female"},
        "POST /candidate/findings/{finding_id}/account": {
            "statement": "I finished the degree a year later."
        },
        "POST /candidate/identifiers": {"date_of_birth": "1990-01-01"},
        "POST /cases/{case_id}/decision": {"outcome": "hire", "reasons": ["checks_completed"]},
        "POST /cases/{case_id}/assessment": {"finding_ids": [ids["finding_id"]], **texts},
        "POST /candidate/disputes": {
            "finding_id": ids["finding_id"],
            "statement": "The registry has the wrong year",
        },
        "POST /candidate/complaints": {"category": "other", "statement": "It took too long"},
        "POST /candidate/disputes/{item_id}/satisfaction": {"score": 4},
        "POST /candidate/complaints/{item_id}/satisfaction": {"score": 4},
        "POST /disputes/{dispute_id}/resolve": {
            "outcome": "upheld",
            "note": "The registry confirms the record",
        },
        "POST /complaints/{complaint_id}/answer": {"answer": "We are sorry for the delay."},
        "POST /candidate/reviews": {"statement": "The decision rests on a wrong record"},
        "POST /candidate/reviews/{item_id}/satisfaction": {"score": 3},
        "POST /reviews/{review_id}/answer": {
            "outcome": "upheld",
            "answer": "We checked again.",
        },
    }
    return bodies.get(route, {})


def _call(client: TestClient, scene: Scene, route: str, caller: str) -> Any:
    method, path = route.split(" ")
    url = API + path.format(**_path_ids(scene, path))
    client.cookies.clear()  # every call carries only its caller's credentials
    kwargs: dict[str, Any] = {"headers": scene.headers[caller], "params": _query(scene, path)}
    if path == "/findings/{finding_id}/evidence":
        kwargs["files"] = {"file": ("scan.png", PNG, "image/png")}
    elif method in ("POST", "PUT"):
        kwargs["json"] = _body(scene, route)
    return client.request(method, url, **kwargs)


def openapi_routes(app: App) -> set[str]:
    """Return "METHOD /path-template" (under /api/v1) of every operation of the document."""
    doc = create_app(app).openapi()
    return {
        f"{method.upper()} {path.removeprefix(API)}"
        for path, operations in doc["paths"].items()
        for method in operations
    }


def test_the_policy_table_names_every_route_of_the_openapi_document(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}", _env_file=None
    )  # type: ignore[call-arg]
    routes = openapi_routes(App(settings))
    missing = sorted(routes - set(POLICY))
    stale = sorted(set(POLICY) - routes)
    assert not missing, f"routes with no row in the policy table: {missing}"
    assert not stale, f"rows of the policy table for routes that no longer exist: {stale}"
    for row in POLICY.values():
        _parse(row)
    for (route, caller), (status, why) in KNOWN_DEVIATIONS.items():
        assert route in POLICY and caller in CALLERS and why
        assert 100 <= status < 600


def _plan() -> Iterator[tuple[str, str, str]]:
    """Yield (route, caller, expected): denied calls first, allowed ones after, LAST at the end."""
    rows = {route: dict(zip(CALLERS, _parse(row), strict=True)) for route, row in POLICY.items()}
    ordered = [r for r in sorted(rows) if r not in LAST] + list(LAST)
    for route in ordered:
        for caller, expected in rows[route].items():
            if expected != "ok":
                yield route, caller, expected
    for route in ordered:
        for caller, expected in rows[route].items():
            if expected == "ok":
                yield route, caller, expected


def _verdict(status: int, body: Any, expected: str) -> str | None:
    """Return why an answer breaks the policy, or None."""
    if status >= 500:
        return f"failed with {status}"
    if expected == "ok":
        return None if status not in CODES else f"refused with {status}"
    if status != DENIED[expected]:
        return f"answered {status}"
    code = body.get("error", {}).get("code") if isinstance(body, dict) else None
    if code != CODES[status]:
        return f"{status} with code {code!r}"
    return None


def test_every_route_answers_every_caller_as_the_policy_says(fs: App) -> None:
    scene = build_scene(fs)
    assert set(scene.headers) == set(CALLERS)
    broken: list[str] = []
    still_deviating: set[tuple[str, str]] = set()
    with TestClient(create_app(fs), raise_server_exceptions=False) as client:
        for route, caller, expected in _plan():
            r = _call(client, scene, route, caller)
            json_answer = r.headers.get("content-type", "").startswith("application/json")
            body = r.json() if json_answer else None
            known = KNOWN_DEVIATIONS.get((route, caller))
            if known is not None:
                if r.status_code == known[0]:
                    still_deviating.add((route, caller))
                    continue
                broken.append(
                    f"{route} as {caller}: known deviation ({known[0]}) now "
                    f"answers {r.status_code}; if fixed, delete it from KNOWN_DEVIATIONS"
                )
                continue
            why = _verdict(r.status_code, body, expected)
            if why is not None:
                broken.append(f"{route} as {caller}: expected {expected}, {why}: {r.text[:160]}")
    assert not broken, "\n".join(broken)
    assert still_deviating == set(KNOWN_DEVIATIONS)
