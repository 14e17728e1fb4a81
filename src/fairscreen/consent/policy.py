"""What the rest of the system asks of consent: may this case collect this category now?"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Sequence
from functools import cache
from importlib.resources import files

import yaml

from fairscreen.cases.policy import BEFORE_CONSENT, CLOSED, COLLECTING
from fairscreen.shared.errors import (
    ConsentRequired,
    ConsentWithdrawn,
    InvalidState,
    OutOfScope,
    SeparateConsentRequired,
    ValidationFailed,
)
from fairscreen.shared.languages import RULE_DATA_LANGUAGES, text_in


def check_collection(
    *,
    status: str,
    stopped: bool,
    granted: Collection[str] | None,
    category: str,
    requested: Collection[str] | None = None,
) -> None:
    """Refuse collecting `category` unless the case is collecting under consent that covers it.

    The one collection check, for findings, sources and evidence alike: consent signed and
    standing, the category granted (and requested by the case, when given), and the case
    in a state that collects (`cases.policy.COLLECTING`).
    """
    if stopped or status in CLOSED:
        raise ConsentWithdrawn()
    if granted is None or status in BEFORE_CONSENT:
        raise ConsentRequired()
    if category not in granted:
        raise OutOfScope(f"The candidate did not grant '{category}'.", category=category)
    if requested is not None and category not in requested:
        raise OutOfScope(f"The case did not request '{category}'.", category=category)
    if status not in COLLECTING:
        raise InvalidState("Findings and evidence are collected only while the check is under way.")


def normalise_name(name: str) -> str:
    """Fold a typed name for comparison: NFKC, no whitespace at all, casefolded."""
    folded = unicodedata.normalize("NFKC", name)
    bare = "".join(ch for ch in folded if not ch.isspace()).casefold()
    # Once again: NFKC turns a spacing accent ("e´") into a space and a combining one,
    # which composes with its letter only once the space is gone ("é", as expected).
    return unicodedata.normalize("NFKC", bare)


def names_match(typed: str, expected: str) -> bool:
    """Tell whether the typed signature is the candidate's name (spacing, width, case aside)."""
    wanted = normalise_name(expected)
    return bool(wanted) and normalise_name(typed) == wanted


def check_consent_choice(
    *,
    requested: Sequence[str],
    granted: Sequence[str],
    separate_consent: Sequence[str],
    is_sensitive: Callable[[str], bool],
) -> tuple[list[str], list[str], list[str]]:
    """Check what the candidate grants; return (granted, declined, separately consented).

    Granted and declined keep the case's order; every sensitive granted category needs
    the candidate's separate consent (PIPL Art. 29).
    """
    unknown = sorted({c for c in [*granted, *separate_consent] if c not in requested})
    if unknown:
        raise ValidationFailed(
            f"This check does not ask for: {', '.join(unknown)}.",
            field="categories",
            categories=unknown,
        )
    chosen = set(granted)
    if not chosen:
        raise ValidationFailed(
            "Grant at least one category, or refuse consent to decline the whole check.",
            field="categories",
        )
    grant_list = [c for c in requested if c in chosen]
    declined = [c for c in requested if c not in chosen]
    separately = set(separate_consent)
    missing = [c for c in grant_list if is_sensitive(c) and c not in separately]
    if missing:
        raise SeparateConsentRequired(
            f"Give your separate consent for the sensitive categories: {', '.join(missing)}.",
            categories=missing,
        )
    return grant_list, declined, [c for c in grant_list if is_sensitive(c)]


@cache
def load_rights() -> tuple[tuple[str, dict[str, str]], ...]:
    """Load the candidate's rights (`rules/rights-v1.yaml`): (code, text by language) each."""
    raw = yaml.safe_load(
        files("fairscreen.consent").joinpath("rules", "rights-v1.yaml").read_text("utf-8")
    )
    out = []
    for item in raw["rights"]:
        text = item["text"]
        if set(text) != set(RULE_DATA_LANGUAGES):
            raise ValueError(
                f"right {item['code']}: text in {', '.join(RULE_DATA_LANGUAGES)} required"
            )
        out.append((str(item["code"]), {lang: str(text[lang]) for lang in RULE_DATA_LANGUAGES}))
    return tuple(out)


def rights_in(lang: str) -> list[str]:
    """Return the candidate's rights in a page language (rule data falls back)."""
    return [text_in(text, lang) for _, text in load_rights()]


def rights_by_language() -> dict[str, list[str]]:
    """Return the candidate's rights in every rule-data language."""
    return {lang: rights_in(lang) for lang in RULE_DATA_LANGUAGES}


# A signing client is compared with the employer's staff sessions alive this recently.
STAFF_DEVICE_WINDOW_HOURS = 24


def staff_device_match(same_network: Sequence[str | None], client_hash: str | None) -> str | None:
    """Name how a signing client matches the employer's recent staff sessions, if it does.

    `same_network` holds the client hashes (address and browser) of the staff sessions
    from the signer's network address. "ip_and_user_agent": one of them is the signer's
    browser too; "ip": the same network only (an office, or a candidate on its Wi-Fi).
    """
    if not same_network:
        return None
    if client_hash is not None and client_hash in same_network:
        return "ip_and_user_agent"
    return "ip"
