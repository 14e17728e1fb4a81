"""Fuzzing the JSON API from its own OpenAPI document (schemathesis, in process over ASGI).

Every operation is called with requests generated from its schema, by a caller who may use
it (the candidate's token on the candidate's routes, an API key of the role that works the
route otherwise), with path ids taken from a worked case half the time so the calls reach
the domain rules rather than stopping at `not_found`. No answer may be a 500, and every error
must have the contract's shape `{"error": {"code", "message"}}` with a code that
`STATUS_BY_CODE` maps to the status sent.

Bounded: a few derandomized examples per operation (the same ones on every run).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from factories.security import Scene, build_scene
from fairscreen.bootstrap import App
from fairscreen.web.app import create_app
from fairscreen.web.errors import STATUS_BY_CODE

API = "/api/v1"
EXAMPLES = 10
# Who fuzzes a route (a column of the authorisation matrix): the role that works it.
INVESTIGATOR_ROUTES = (
    "/cases/{case_id}/findings",
    "/findings/{finding_id}/sources",
    "/findings/{finding_id}/evidence",
    "/cases/{case_id}/report",
    "/disputes/{dispute_id}/start",
    "/disputes/{dispute_id}/resolve",
)


def _caller(path: str) -> str:
    if path.startswith("/candidate/"):
        return "cand"
    if path.startswith("/regulator/"):
        return "reg"
    if path in INVESTIGATOR_ROUTES:
        return "agy_inv"
    return "emp_admin"  # may do every other staff route of the employer


def _real_ids(scene: Scene, path: str) -> dict[str, str]:
    ids = dict(scene.ids)
    if path == "/cases/{case_id}/deletion-certificate":
        ids["case_id"] = ids["destroyed_case"]
    if path.startswith("/candidate/complaints/"):
        ids["item_id"] = ids["complaint_id"]
    elif path.startswith("/candidate/reviews/"):
        ids["item_id"] = ids["review_id"]
    else:
        ids["item_id"] = ids["dispute_id"]
    return ids


def _problem(status: int, body: Any) -> str | None:
    """Return what is wrong with an answer, or None."""
    if status >= 500:
        return f"server error {status}"
    if status < 400:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not {"code", "message"} <= set(error):
        return f"{status} not in the contract's error shape"
    if not isinstance(error["message"], str) or not error["message"]:
        return f"{status} with an empty message"
    if STATUS_BY_CODE.get(error["code"]) != status:
        mapped = STATUS_BY_CODE.get(error["code"])
        return f"{status} with code {error['code']!r} (mapped to {mapped})"
    return None


def _cases(operation: Any) -> Any:
    """Valid requests by the schema, and some that break it (the refusal must be clean)."""
    valid = operation.as_strategy()
    if not (operation.body or operation.query or operation.path_parameters):
        return valid
    return st.one_of(valid, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))


def _use_real_ids(case: Any, ids: dict[str, str]) -> None:
    if case.path_parameters:
        case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
    if isinstance(case.query, dict) and "org" in case.query:
        case.query = {**case.query, "org": ids["org_id"]}
    if isinstance(case.body, dict):
        for key in ("position_id", "agency_id", "finding_id"):
            if key in case.body:
                case.body = {**case.body, key: ids[key]}
        for key, id_key in (("finding_ids", "finding_id"), ("case_ids", "case_id")):
            if key in case.body:
                case.body = {**case.body, key: [ids[id_key]]}


def _fuzz(operation: Any, headers: dict[str, str], ids: dict[str, str]) -> list[str]:
    """Call one operation with generated requests; return the problems seen."""
    problems: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation), real=st.integers(0, 3))
    def run(case: Any, real: int) -> None:
        if real:  # most calls name real objects; some keep the generated ids
            _use_real_ids(case, ids)
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # noqa: BLE001 - the app raised: a 500
            problems.append(f"{operation.label}: raised {exc!r} for {case.as_curl_command()}")
            return
        try:
            body = response.json()
        except ValueError:
            body = None
        problem = _problem(response.status_code, body)
        if problem is not None:
            problems.append(
                f"{operation.label}: {problem}: {response.text[:200]} for {case.as_curl_command()}"
            )

    run()
    return problems


def test_no_operation_answers_500_or_an_error_out_of_the_contract(fs: App) -> None:
    scene = build_scene(fs)
    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", create_app(fs))
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: (op.path, op.method),
    )
    assert len(operations) > 50
    problems: list[str] = []
    for operation in operations:
        path = operation.path.removeprefix(API)
        problems += _fuzz(operation, scene.headers[_caller(path)], _real_ids(scene, path))
    assert not problems, "\n".join(problems)


# Requests the fuzzing found answering 500 (on SQLite, PostgreSQL or both); now refused cleanly.
CRASHERS: list[tuple[str, str, str, dict[str, Any], Any]] = [
    ("emp_hr", "GET", "/ledger/events", {"from": 10**19}, None),  # int beyond 64 bits
    ("emp_hr", "GET", "/cases", {"offset": 10**19}, None),
    ("emp_hr", "GET", "/cases/%00abc", {}, None),  # NUL: PostgreSQL refuses it in text
    ("emp_admin", "GET", "/audit/bias", {"org": "\x00"}, None),
    ("reg", "GET", "/regulator/cases/%00/timeline", {}, None),
    (
        "emp_admin",
        "POST",
        "/positions",
        {},
        {"title": "a\x00b", "purpose": "general", "grade": "staff"},
    ),
    (
        "emp_admin",
        "POST",
        "/breaches",
        {},
        {"description": "lost", "discovered_at": "0001-01-01T00:00:00+14:00", "case_ids": []},
    ),
    (
        "emp_admin",
        "POST",
        "/cases/{case_id}/legal-hold",
        {},
        {"reason": "court", "ends_at": "9999-12-31T23:59:59-12:00"},  # past year 9999 in UTC
    ),
    (
        "emp_admin",
        "POST",
        "/cases/{other_case}/decision",
        {},
        {"outcome": "hire", "reasons": ["checks_completed"], "employment_end": "9999-12-31"},
    ),
    ("emp_admin", "POST", "/webhooks", {}, {"url": "http://[::1", "events": ["case.destroyed"]}),
    (
        "emp_admin",
        "POST",
        "/webhooks",
        {},
        {"url": "http://a:99999/", "events": ["case.destroyed"]},
    ),
    ("emp_admin", "GET", "/organizations/{org_id}/compliance", {"to": "0001-01-02"}, None),
    ("reg", "GET", "/regulator/organizations", {"from": "9999-12-30", "to": "9999-12-31"}, None),
]


def test_requests_that_once_crashed_the_server_are_refused_in_the_contracts_shape(fs: App) -> None:
    scene = build_scene(fs)
    problems = []
    with TestClient(create_app(fs), raise_server_exceptions=False) as client:
        for caller, method, path, query, body in CRASHERS:
            url = API + path.format(**scene.ids)
            r = client.request(method, url, params=query, json=body, headers=scene.headers[caller])
            problem = _problem(r.status_code, r.json()) or (
                None if 400 <= r.status_code < 500 else f"answered {r.status_code}"
            )
            if problem is not None:
                problems.append(f"{method} {path} {query or body}: {problem}: {r.text[:200]}")
    assert not problems, "\n".join(problems)
