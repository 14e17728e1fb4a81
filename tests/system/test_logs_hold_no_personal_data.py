"""The server's log after a whole case holds no personal data and no secret.

The real `fairscreen serve` runs in a subprocess at INFO level with its scheduler; a case
goes through it over HTTP from invitation to dispute, with a few refusals on the way, and
then every line the process wrote is searched for what it must never contain.
"""

from __future__ import annotations

import httpx

from factories.world import make_world
from support.server import ServerProcess

NAME = "欧阳娜娜"
EMAIL = "nana.ouyang@candidate.example"
ID_NUMBER = "11010119900307123X"
PHONE = "13912345678"
STATEMENT = f"The degree is mine; call me on {PHONE} or write to {EMAIL}."


def _journey(base: str, world, app) -> list[str]:
    """Run a case through the server; return the secrets it handed out."""
    hr, investigator = world["hr"], world["investigator"]
    with httpx.Client(base_url=base, timeout=30) as http:
        position = http.post(
            "/api/v1/positions",
            json={"title": "Accountant", "purpose": "general", "grade": "staff"},
            headers=hr.headers,
        ).json()
        case = http.post(
            "/api/v1/cases",
            json={
                "position_id": position["id"],
                "agency_id": world.agency,
                "candidate": {"name": NAME, "email": EMAIL},
                "categories": ["identity", "education"],
            },
            headers=hr.headers,
        )
        assert case.status_code == 201, case.text
        case_id = case.json()["id"]
        link = next(m.link for m in app.outbox() if m.to == EMAIL)
        token = link.rsplit("/", 1)[1]
        me = {"Authorization": f"Bearer {token}"}

        assert http.get(link, follow_redirects=False).status_code == 303
        assert http.get("/api/v1/candidate/case", headers=me).status_code == 200
        ids = {"id_number": ID_NUMBER, "date_of_birth": "1990-03-07"}
        assert http.post("/api/v1/candidate/identifiers", json=ids, headers=me).status_code == 200
        typo = {"full_name": NAME[:-1], "agree": True, "categories": ["identity", "education"]}
        assert http.post("/api/v1/candidate/consent", json=typo, headers=me).status_code == 422
        signed = {**typo, "full_name": NAME}
        assert http.post("/api/v1/candidate/consent", json=signed, headers=me).status_code == 200

        finding = http.post(
            f"/api/v1/cases/{case_id}/findings",
            json={"category": "education", "claim": "Bachelor of Accounting, 2012"},
            headers=investigator.headers,
        ).json()
        for origin in ("university registry", "national degree database"):
            http.post(
                f"/api/v1/findings/{finding['id']}/sources",
                json={
                    "kind": "official_registry",
                    "origin": origin,
                    "supports": True,
                    "subject": {"name": NAME, **ids},
                },
                headers=investigator.headers,
            )
        hearsay = http.post(
            f"/api/v1/cases/{case_id}/findings",
            json={"category": "education", "claim": f"{NAME} is pregnant, a neighbour said"},
            headers=investigator.headers,
        )
        assert hearsay.status_code == 422
        assert http.post(f"/api/v1/cases/{case_id}/report", headers=investigator.headers).is_success
        assert http.get("/api/v1/candidate/report", headers=me).status_code == 200
        dispute = http.post(
            "/api/v1/candidate/disputes",
            json={"finding_id": finding["id"], "statement": STATEMENT},
            headers=me,
        )
        assert dispute.status_code == 201, dispute.text
        login = http.get("/login")
        http.post(
            "/login",
            data={
                "email": EMAIL,
                "password": "guess-" + ID_NUMBER,
                "csrf": login.cookies["fs_csrf"],
            },
            cookies=login.cookies,
        )
        assert http.get(f"/c/{token}x").status_code == 401
    return [token, hr.api_key, investigator.api_key]


def test_a_whole_case_leaves_no_personal_data_in_the_log(deployment):
    world = make_world(deployment.app)
    server = ServerProcess(deployment.data_dir, database_url=deployment.database_url)
    with server:
        secrets = _journey(server.url, world, deployment.app)
    log = server.log()
    # The log is there and covers the journey (else the search below proves nothing).
    assert "POST /api/v1/candidate/consent 422" in log
    assert "POST /api/v1/candidate/disputes 201" in log
    assert "GET /c/{token} 401" in log
    # serve warmed its caches and froze them before it listened (web/warmup.py).
    assert "warmed up in" in log
    assert "start-up objects out of the collector's sight" in log
    forbidden = [NAME, NAME[:-1], EMAIL, ID_NUMBER, PHONE, "1990-03-07", *secrets]
    forbidden += [secret.split(".", 1)[-1] for secret in secrets]  # the parts after a key id
    found = [value for value in forbidden if value in log]
    assert found == []
