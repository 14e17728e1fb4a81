"""Error pages speak the reader's language and show no raw code.

A Chinese reader used to get "401 · unauthenticated" (and the title "401 · fairscreen")
under a Chinese heading; staff got the refusal's English message. The heading and the
text now come from the catalogue; the code is only in a data attribute.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from factories.world import password_for
from fairscreen.identity.models import User

RAW = re.compile(r"\b(40[1-5]|500|503)\s*·|unauthenticated|not_found|forbidden\b|internal_error")


def _visible(html: str) -> str:
    """The text a reader sees: tags (and their attributes) removed."""
    return re.sub(r"<[^>]+>", " ", html)


def _chinese_page(page, status: int, lang_tag: str) -> str:
    assert page.status_code == status, page.text
    assert f'lang="{lang_tag}"' in page.text
    text = _visible(page.text)
    assert not RAW.search(text), text
    title = re.search(r"<title>(.*?)</title>", page.text, re.S)[1]
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)[1]
    body = re.search(r"</h1>\s*<p>(.*?)</p>", page.text, re.S)[1]
    for part in (title, heading, body):
        assert re.search(r"[\u4e00-\u9fff]", part), part
        assert not re.search(r"[A-Za-z]{4,}", part.replace("fairscreen", "")), part
    return text


@pytest.mark.parametrize(("accept", "tag"), [("zh-CN,zh;q=0.9", "zh-CN"), ("zh-TW", "zh-TW")])
def test_an_unknown_page_answers_in_chinese_with_no_code(client, accept, tag) -> None:
    page = client.get("/no/such/page", headers={"accept": "text/html", "accept-language": accept})
    _chinese_page(page, 404, tag)


def test_a_candidate_page_without_a_link_answers_in_chinese(client) -> None:
    page = client.get("/candidate", headers={"accept": "text/html", "accept-language": "zh-CN"})
    text = _chinese_page(page, 401, "zh-CN")
    assert "邀请" in text  # it tells the candidate to open the invitation's link again


def test_a_staff_refusal_page_answers_in_chinese(client: TestClient, world, fs) -> None:
    with fs.reader() as uow:
        email = uow.session.get(User, world["hr"].actor.id).email
    client.get("/login?lang=zh-Hans")
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
    # An employer posting a form without its CSRF token is refused (403), in Chinese.
    page = client.post("/logout", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 403, page.text
    _chinese_page(page, 403, "zh-CN")
    assert "You may not" not in page.text and "expired" not in page.text


def test_an_english_reader_gets_english(client) -> None:
    page = client.get("/no/such/page", headers={"accept": "text/html", "accept-language": "en"})
    assert page.status_code == 404
    assert "Page not found" in page.text
    assert not RAW.search(_visible(page.text))
