"""Identity matching: a record attaches to a candidate only when it is theirs beyond doubt.

Records of someone else attached to the candidate (name-only matches, common names) are
the first cause of wrong reports. Which sources are records about a person is the
verification rules' data (`VerificationRules.subject_required`); such a record attaches
only when, compared after normalisation (full-width/half-width, Traditional/Simplified,
case, punctuation; the pinyin of a Chinese name where the source romanises it):

1. the candidate has given identifiers at all;
2. the name on the record is the candidate's;
3. the record's ID number, if it gives one, is the candidate's: a different ID number is
   another person, whatever else matches (`id_number_contradicts`);
4. the ID number matches - or, for a court record, the court document names the
   candidate (`document_names_candidate` with the court's `case_number`): name and birth
   date alone never do, twins and relatives share both (`id_number_required`);
5. at least two identifiers beyond the name match (`too_few_identifiers`).

Each refusal is `identity_not_matched` with a stable `reason` detail, in this order, and
names what is missing.

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
    """A person's identifiers, normalised.

    A court record's subject may also say that the court document itself names the
    candidate as the party (`document_names_candidate`), identified by the court's case
    number (`case_number`, 案号), which stands in for the ID number courts often redact.
    """

    name: str = ""
    id_number: str | None = None
    date_of_birth: str | None = None
    addresses: tuple[str, ...] = ()
    case_number: str | None = None
    document_names_candidate: bool = False

    @staticmethod
    def parse(raw: Mapping[str, object]) -> Identifiers:
        """Normalise identifiers given by the candidate or carried by a record."""
        addresses_raw = raw.get("addresses") or ([raw["address"]] if raw.get("address") else [])
        if not isinstance(addresses_raw, Sequence) or isinstance(addresses_raw, str):
            raise ValidationFailed("addresses must be a list of strings.", field="addresses")
        idn = raw.get("id_number")
        dob = raw.get("date_of_birth")
        case_number = raw.get("case_number")
        names_candidate = raw.get("document_names_candidate", False)
        if not isinstance(names_candidate, bool):
            raise ValidationFailed(
                "document_names_candidate must be true or false.", field="document_names_candidate"
            )
        return Identifiers(
            name=str(raw.get("name") or ""),
            id_number=normalise_id_number(str(idn)) if idn else None,
            date_of_birth=normalise_date(str(dob)) if dob else None,
            addresses=tuple(normalise_address(str(a)) for a in addresses_raw if str(a).strip()),
            case_number=(fold(str(case_number)) or None) if case_number else None,
            document_names_candidate=names_candidate,
        )

    @property
    def given(self) -> bool:
        """Tell whether any identifier beyond the name is given."""
        return bool(self.id_number or self.date_of_birth or self.addresses)


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
    # A strong identifier on both sides that differs: another person, whatever else matches.
    contradicted: tuple[str, ...] = field(default=())
    # Named by a court document (a court record that may say so): stands in for the ID number.
    court_document: bool = False

    @property
    def ok(self) -> bool:
        """Tell whether the record may attach to the candidate."""
        return (
            self.name_matches
            and not self.contradicted
            and ("id_number" in self.matched or self.court_document)
            and len(self.matched) >= REQUIRED_MATCHES
        )


def match(
    candidate: Identifiers, subject: Identifiers, *, court_document: bool = False
) -> MatchResult:
    """Compare a record's subject with the candidate, identifier by identifier.

    `court_document` tells whether the source is of a kind whose document may name the
    candidate (the verification rules' `court_document` flag).
    """
    name_ok = bool(name_keys(candidate.name) & name_keys(subject.name)) if subject.name else False
    matched: list[str] = []
    missing: list[str] = []
    contradicted: list[str] = []
    if candidate.id_number and subject.id_number and candidate.id_number == subject.id_number:
        matched.append("id_number")
    else:
        missing.append("id_number")
        if candidate.id_number and subject.id_number:
            contradicted.append("id_number")
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
    named = court_document and subject.document_names_candidate and bool(subject.case_number)
    return MatchResult(name_ok, tuple(matched), tuple(missing), tuple(contradicted), named)


def require_match(
    candidate: Identifiers, subject: Identifiers, *, court_document: bool = False
) -> MatchResult:
    """Return the match, or refuse with `identity_not_matched` saying why, in the rule's order."""
    if not candidate.given:
        raise IdentityNotMatched(
            "The candidate has given no identifiers yet; a record can attach only once they "
            "have (ask them for their ID number and date of birth).",
            reason="no_candidate_identifiers",
            missing=list(IDENTIFIERS),
        )
    result = match(candidate, subject, court_document=court_document)
    if not result.name_matches:
        raise IdentityNotMatched(
            "The name on the record is not the candidate's.",
            reason="name_mismatch",
            missing=["name"],
        )
    if result.contradicted:
        raise IdentityNotMatched(
            "The ID number on the record is not the candidate's: the record is another "
            "person's, whatever else matches.",
            reason="id_number_contradicts",
            contradicted=list(result.contradicted),
            matched=list(result.matched),
        )
    so_far = (
        "Only the name and " + ", ".join(result.matched) + " match"
        if result.matched
        else "Only the name matches"
    )
    if "id_number" not in result.matched and not result.court_document:
        if candidate.id_number is None and subject.id_number is not None:
            raise IdentityNotMatched(
                f"{so_far}; the candidate has given no ID number yet to compare with the "
                f"record's (ask them to add it).",
                reason="no_candidate_id_number",
                missing=list(result.missing),
                matched=list(result.matched),
            )
        court = " (or, for a court record, the court document naming the candidate)"
        raise IdentityNotMatched(
            f"{so_far}; an ID number is required{court if court_document else ''}"
            f" - name and birth date are shared by twins and relatives. Missing: "
            f"{', '.join(result.missing)}.",
            reason="id_number_required",
            missing=list(result.missing),
            matched=list(result.matched),
        )
    if len(result.matched) < REQUIRED_MATCHES:
        need = REQUIRED_MATCHES - len(result.matched)
        raise IdentityNotMatched(
            f"{so_far}; {need} more of "
            f"{', '.join(result.missing)} must match before it can attach.",
            reason="too_few_identifiers",
            missing=list(result.missing),
            matched=list(result.matched),
        )
    return result
