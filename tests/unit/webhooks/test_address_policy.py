"""Where webhooks and the witness may connect: public addresses only, every spelling."""

from __future__ import annotations

import ipaddress

import pytest

from fairscreen.webhooks.policy import (
    PrivateAllowance,
    UnsafeTarget,
    is_public,
    parse_target,
    refusal,
)

NONE = PrivateAllowance()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "::1",
        "0.0.0.0",
        "::",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # the cloud metadata service
        "169.254.1.1",
        "fe80::1",
        "fc00::1",
        "100.64.0.1",  # CGNAT
        "100.127.255.254",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
        "::ffff:127.0.0.1",  # IPv4-mapped IPv6 of loopback
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",  # NAT64 of loopback
        "2002:7f00:1::",  # 6to4 of loopback
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1::1"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://0x7f.0.0.1/",
        "http://1.2.3/",
        "http://user:pass@example.com/",
        "http://user@example.com/",
        "ftp://example.com/",
        "http://[::1",
        "http://a:99999/",
        "http:///nohost",
        "http://exa mple.com/",
    ],
)
def test_odd_spellings_userinfo_and_broken_urls_are_refused_before_any_lookup(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        parse_target(url)


@pytest.mark.parametrize(
    "url",
    ["http://localhost/", "http://LOCALHOST./", "http://api.localhost/", "http://ip6-localhost/"],
)
def test_loopback_names_are_refused_whatever_they_resolve_to(url: str) -> None:
    target = parse_target(url)
    assert refusal(target, [ipaddress.ip_address("93.184.216.34")], NONE) is not None


def test_a_name_is_refused_if_any_address_it_resolves_to_is_not_public() -> None:
    target = parse_target("https://ats.example/hook")
    public, private = ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.5")
    assert refusal(target, [public], NONE) is None
    assert refusal(target, [public, private], NONE) is not None
    assert refusal(target, [], NONE) is not None  # resolves to nothing


def test_the_operator_may_allow_named_hosts_addresses_and_ranges() -> None:
    allow = PrivateAllowance.parse(" ats.internal , 127.0.0.1,10.1.0.0/16, [::1]")
    loopback = ipaddress.ip_address("127.0.0.1")
    assert refusal(parse_target("http://127.0.0.1:9/"), [loopback], allow) is None
    assert refusal(parse_target("http://[::1]:9/"), [ipaddress.ip_address("::1")], allow) is None
    inside = ipaddress.ip_address("10.1.2.3")
    assert refusal(parse_target("https://ats.internal/"), [inside], allow) is None
    assert refusal(parse_target("https://other.internal/"), [inside], allow) is None  # range
    elsewhere = ipaddress.ip_address("10.2.0.1")
    assert refusal(parse_target("https://other.internal/"), [elsewhere], allow) is not None
    assert refusal(parse_target("http://127.0.0.2/"), [ipaddress.ip_address("127.0.0.2")], allow)


def test_nothing_private_is_allowed_by_default() -> None:
    assert PrivateAllowance.parse("") == PrivateAllowance()
