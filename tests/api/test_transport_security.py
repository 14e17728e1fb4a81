"""Behind https every cookie is Secure and the browser is told to keep to https (HSTS).

On plain http (a localhost run) neither: a Secure cookie would never come back over http,
and HSTS would teach the browser to refuse http to 127.0.0.1 for a year.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories.world import make_world, open_case, password_for
from fairscreen.bootstrap import App
from fairscreen.identity.models import User
from fairscreen.settings import Settings
from fairscreen.web.app import create_app
from fairscreen.web.deps import SESSION_COOKIE


def _behind(fs: App, base_url: str) -> App:
    settings = Settings(**{**fs.settings.model_dump(), "base_url": base_url}, _env_file=None)
    return App(settings, clock=fs.clock, engine=fs.engine)


def _cookies_set(app: App, base_url: str) -> list[str]:
    world = make_world(app)
    _, token = open_case(world)
    with app.reader() as uow:
        email = uow.session.get(User, world["hr"].actor.id).email
    set_cookies: list[str] = []
    with TestClient(create_app(app), base_url=base_url) as client:
        login = client.get("/login?lang=en")
        set_cookies += login.headers.get_list("set-cookie")
        signed = client.post(
            "/login",
            data={
                "email": email,
                "password": password_for("employer"),
                "csrf": client.cookies["fs_csrf"],
            },
            follow_redirects=False,
        )
        assert signed.status_code == 303
        set_cookies += signed.headers.get_list("set-cookie")
        entry = client.get(f"/c/{token}", follow_redirects=False)
        set_cookies += entry.headers.get_list("set-cookie")
        client.cookies.set(SESSION_COOKIE, "ses_gone.secret")
        stale = client.get("/app", follow_redirects=False)
        set_cookies += stale.headers.get_list("set-cookie")
        hsts = client.get("/").headers.get("strict-transport-security")
    names = {c.partition("=")[0] for c in set_cookies}
    assert {"fs_csrf", "lang", "fs_session", "fs_candidate"} <= names, names
    return [*set_cookies, f"hsts={hsts}"]


def test_behind_https_every_cookie_is_secure_and_hsts_is_sent(fs) -> None:
    app = _behind(fs, "https://fairscreen.example")
    assert app.settings.secure_cookies
    *cookies, hsts = _cookies_set(app, "https://fairscreen.example")
    assert all("secure" in c.lower() for c in cookies), cookies
    assert hsts == "hsts=max-age=31536000"


def test_on_plain_http_cookies_are_not_secure_and_there_is_no_hsts(fs) -> None:
    *cookies, hsts = _cookies_set(_behind(fs, "http://127.0.0.1:8000"), "http://testserver")
    assert not any("secure" in c.lower() for c in cookies), cookies
    assert hsts == "hsts=None"
