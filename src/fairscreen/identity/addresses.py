"""E-mail addresses: the strict form accepted, and whose they are (pure, no framework).

A candidate's address receives the invitation link, which is the candidate's signature
key: an address that is not the candidate's own lets someone else sign. So an address is
one mailbox in its plain form (no display name, no list, no line break), and a candidate
address may be neither a staff user's nor at the employer's own mail domains. The public
mailbox providers (rules/mail-v1.yaml) are never an organisation's own domain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

import yaml

MAX_ADDRESS = 254
MAX_LOCAL = 64
_ATOM = r"[\w!#$%&'*+/=?^`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+{_LABEL}")


def parse_address(raw: str) -> str | None:
    """Return one plain mailbox address, normalised (domain lower-cased), or None.

    Refused: display names, lists, comments, quoted local parts, whitespace and control
    characters anywhere (a CR or LF would be a header injection).
    """
    address = unicodedata.normalize("NFKC", raw).strip()
    if not address or len(address) > MAX_ADDRESS or address.count("@") != 1:
        return None
    local, _, domain = address.partition("@")
    if len(local) > MAX_LOCAL or not _LOCAL.fullmatch(local):
        return None
    domain = domain.lower()
    if not _DOMAIN.fullmatch(domain) or domain.rsplit(".", 1)[1].isdigit():
        return None
    return f"{local}@{domain}"


def domain_of(address: str) -> str:
    """Return the (lower-case) domain of an address."""
    return address.rpartition("@")[2].lower()


@cache
def public_providers() -> frozenset[str]:
    """Return the public mailbox providers' domains (rules data)."""
    raw = yaml.safe_load(
        files("fairscreen.identity").joinpath("rules", "mail-v1.yaml").read_text("utf-8")
    )
    return frozenset(str(d).lower() for d in raw["public_providers"])


def parse_domain(raw: str) -> str | None:
    """Return a mail domain in its plain lower-case form, or None if it is not one."""
    domain = unicodedata.normalize("NFKC", raw).strip().lower().removeprefix("@")
    if len(domain) > MAX_ADDRESS or not _DOMAIN.fullmatch(domain):
        return None
    return None if domain.rsplit(".", 1)[1].isdigit() else domain


def own_domains(declared: Iterable[str], staff_addresses: Iterable[str]) -> frozenset[str]:
    """Return an organisation's own mail domains: those it declared and its staff's.

    A staff address at a public provider does not make the provider the organisation's.
    """
    staff = {domain_of(a) for a in staff_addresses} - public_providers()
    return frozenset({d.lower() for d in declared} | staff)


def at_domains(address: str, domains: Iterable[str]) -> bool:
    """Tell whether an address is at one of the domains or a subdomain of one."""
    domain = domain_of(address)
    return any(domain == d or domain.endswith("." + d) for d in domains)


def mask_address(address: str) -> str:
    """Return an address shown only in part: "j***@example.com"."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"
