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
