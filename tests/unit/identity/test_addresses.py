"""Candidate and staff addresses: one plain mailbox, and whose domain it is."""

from __future__ import annotations

import pytest

from fairscreen.identity.addresses import (
    at_domains,
    mask_address,
    own_domains,
    parse_address,
    parse_domain,
    public_providers,
)


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("zhang.wei@candidate.example", "zhang.wei@candidate.example"),
        ("  Zhang.Wei+cv@Candidate.EXAMPLE ", "Zhang.Wei+cv@candidate.example"),
        ("ｚｈａｎｇ@ｅｘａｍｐｌｅ.ｃｎ", "zhang@example.cn"),
        ("张伟@例子.中国", "张伟@例子.中国"),
    ],
)
def test_one_plain_mailbox_is_accepted_and_normalised(raw: str, parsed: str) -> None:
    assert parse_address(raw) == parsed


@pytest.mark.parametrize(
    "raw",
    [
        "a@b.com\r\nBcc: c@d.com",
        "a@b.com\nc@d.com",
        "a@b.com, c@d.com",
        "a@b.com;c@d.com",
        "Zhang <a@b.com>",
        '"a b"@c.com',
        "a(comment)@b.com",
        "a@b",
        "a@b..com",
        "a@-b.com",
        "a@1.2.3.4",
        "a@@b.com",
        ".a@b.com",
        "a\x00@b.com",
        "a" * 65 + "@b.com",
        "",
    ],
)
def test_lists_names_line_breaks_and_odd_forms_are_refused(raw: str) -> None:
    assert parse_address(raw) is None


def test_an_organisations_own_domains_leave_out_public_providers() -> None:
    assert "qq.com" in public_providers() and "gmail.com" in public_providers()
    domains = own_domains(["acme.cn"], ["hr@acme-hr.com", "boss@gmail.com"])
    assert domains == frozenset({"acme.cn", "acme-hr.com"})


def test_a_subdomain_is_at_its_domain_and_a_lookalike_is_not() -> None:
    assert at_domains("a@mail.acme.cn", {"acme.cn"})
    assert at_domains("a@ACME.cn".lower(), {"acme.cn"})
    assert not at_domains("a@notacme.cn", {"acme.cn"})


def test_domains_and_masks() -> None:
    assert parse_domain("@Acme.CN") == "acme.cn"
    assert parse_domain("acme") is None and parse_domain("a b.cn") is None
    assert mask_address("zhang.wei@candidate.example") == "z***@candidate.example"
