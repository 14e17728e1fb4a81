"""Identity matching: a record attaches to a candidate only on two identifiers beyond the name.

Records of someone else attached to the candidate (name-only matches, common names) are
the first cause of wrong reports. A record from a registry or court source is accepted
only when at least two identifiers other than the name match the candidate's own, each
compared after normalisation (full-width/half-width, Traditional/Simplified, case,
punctuation; the pinyin of a Chinese name where the source romanises it).

Pure. Pinyin comes from `pypinyin` (well kept, pure Python, ships its dictionary).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from pypinyin import lazy_pinyin

from fairscreen.shared.errors import IdentityNotMatched, ValidationFailed

RECORD_KINDS = frozenset(
    {"court_record", "criminal_registry", "credit_bureau", "official_registry"}
)
IDENTIFIERS = ("id_number", "date_of_birth", "address")
REQUIRED_MATCHES = 2
_PUNCT = re.compile(r"[\s\-_.,，。、·・'\"()（）/#]+")


@cache
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """Fold width, script and case, and drop spacing and punctuation."""
    text = unicodedata.normalize("NFKC", text)
    converter = _t2s()
    text = converter.convert(text)  # type: ignore[attr-defined]
    return _PUNCT.sub("", text).casefold()


def name_keys(name: str) -> set[str]:
    """Return the comparable forms of a name: folded, and its pinyin if it is Chinese."""
    folded = fold(name)
    keys = {folded}
    if any("\u4e00" <= ch <= "\u9fff" for ch in folded):
        syllables = lazy_pinyin(folded)
        keys.add("".join(syllables))
        # Romanised sources often write the family name last ("Wei Zhang").
        if len(syllables) > 1:
            keys.add("".join(syllables[1:] + syllables[:1]))
    return keys


def normalise_id_number(value: str) -> str:
    """Fold an ID number (full-width digits, the check letter's case, spacing)."""
    return fold(value).upper()


def normalise_date(value: str | date) -> str:
    """Return an ISO date from `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY年M月D日` or `YYYYMMDD`."""
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", value).strip()
    m = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if m is None:
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m is None:
        raise ValidationFailed(f"'{value}' is not a date (use YYYY-MM-DD).", field="date_of_birth")
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError as exc:
        raise ValidationFailed(f"'{value}' is not a real date.", field="date_of_birth") from exc


def normalise_address(value: str) -> str:
    """Fold an address for comparison."""
    return fold(value)


@dataclass(frozen=True)
class Identifiers:
    """A person's identifiers, normalised."""

    name: str = ""
    id_number: str | None = None
    date_of_birth: str | None = None
    addresses: tuple[str, ...] = ()

    @staticmethod
    def parse(raw: Mapping[str, object]) -> Identifiers:
        """Normalise identifiers given by the candidate or carried by a record."""
        addresses_raw = raw.get("addresses") or ([raw["address"]] if raw.get("address") else [])
        if not isinstance(addresses_raw, Sequence) or isinstance(addresses_raw, str):
            raise ValidationFailed("addresses must be a list of strings.", field="addresses")
        idn = raw.get("id_number")
        dob = raw.get("date_of_birth")
        return Identifiers(
            name=str(raw.get("name") or ""),
            id_number=normalise_id_number(str(idn)) if idn else None,
            date_of_birth=normalise_date(str(dob)) if dob else None,
            addresses=tuple(normalise_address(str(a)) for a in addresses_raw if str(a).strip()),
        )


OWN_KEYS = frozenset({"id_number", "date_of_birth", "addresses"})
MAX_ADDRESSES = 10
_ID_NUMBER = re.compile(r"[0-9A-Z]{4,40}")
_EARLIEST_BIRTH = date(1900, 1, 1)


def own_identifiers(raw: Mapping[str, object], today: date) -> Identifiers:
    """Validate and normalise the identifiers a candidate gives of themself.

    The one check for every way they arrive (`/candidate/identifiers` and the consent
    body's `identifiers`): only the known fields; an ID number of 4 to 40 letters and
    digits; a real birth date, not in the future and not before 1900; at most ten
    addresses of 2 to 300 characters.
    """
    unknown = sorted(set(raw) - OWN_KEYS)
    if unknown:
        raise ValidationFailed(
            f"Unknown identifier {unknown[0]!r}: give id_number, date_of_birth or addresses.",
            field=unknown[0],
        )
    idn, dob, addresses = raw.get("id_number"), raw.get("date_of_birth"), raw.get("addresses")
    if idn is not None and not (
        isinstance(idn, str) and _ID_NUMBER.fullmatch(normalise_id_number(idn))
    ):
        raise ValidationFailed(
            "The ID number must be 4 to 40 letters and digits.", field="id_number"
        )
    if dob is not None:
        if not isinstance(dob, str):
            raise ValidationFailed(
                "The birth date must be a date (YYYY-MM-DD).", field="date_of_birth"
            )
        born = date.fromisoformat(normalise_date(dob))
        if born > today or born < _EARLIEST_BIRTH:
            raise ValidationFailed(
                f"'{dob}' cannot be a birth date (after 1900 and not in the future).",
                field="date_of_birth",
            )
    if addresses is not None and not (
        isinstance(addresses, list)
        and len(addresses) <= MAX_ADDRESSES
        and all(isinstance(a, str) and 2 <= len(a.strip()) <= 300 for a in addresses)
    ):
        raise ValidationFailed(
            f"addresses must be a list of at most {MAX_ADDRESSES} addresses "
            "of 2 to 300 characters.",
            field="addresses",
        )
    return Identifiers.parse(raw)


@dataclass(frozen=True)
class MatchResult:
    name_matches: bool
    matched: tuple[str, ...]
    missing: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Tell whether the record may attach to the candidate."""
        return self.name_matches and len(self.matched) >= REQUIRED_MATCHES


def match(candidate: Identifiers, subject: Identifiers) -> MatchResult:
    """Compare a record's subject with the candidate, identifier by identifier."""
    name_ok = bool(name_keys(candidate.name) & name_keys(subject.name)) if subject.name else False
    matched: list[str] = []
    missing: list[str] = []
    if candidate.id_number and subject.id_number and candidate.id_number == subject.id_number:
        matched.append("id_number")
    else:
        missing.append("id_number")
    if (
        candidate.date_of_birth
        and subject.date_of_birth
        and candidate.date_of_birth == subject.date_of_birth
    ):
        matched.append("date_of_birth")
    else:
        missing.append("date_of_birth")
    if subject.addresses and set(subject.addresses) & set(candidate.addresses):
        matched.append("address")
    else:
        missing.append("address")
    return MatchResult(name_ok, tuple(matched), tuple(missing))


def require_match(candidate: Identifiers, subject: Identifiers) -> MatchResult:
    """Return the match, or refuse with `identity_not_matched` naming what is missing."""
    result = match(candidate, subject)
    if not result.name_matches:
        raise IdentityNotMatched("The name on the record is not the candidate's.", missing=["name"])
    if not result.ok:
        need = REQUIRED_MATCHES - len(result.matched)
        raise IdentityNotMatched(
            f"The record matches the candidate only by name"
            f"{' and ' + ', '.join(result.matched) if result.matched else ''}; {need} more of "
            f"{', '.join(result.missing)} must match before it can attach.",
            missing=list(result.missing),
            matched=list(result.matched),
        )
    return result
