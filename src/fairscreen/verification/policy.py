"""Multi-source verification (多源验证): the status of a finding from its sources.

Pure functions on dataclasses; the rules are data (``rules/verification-v2.yaml``) and
every result records the rules version it was computed under. Recompute the status on
every change to a finding's sources; it depends only on the set of sources, never on
their order or time.

The rule, in order:

1. a source that is retracted (resolved as mistaken) is ignored;
2. any remaining source that contradicts the finding makes it **inconclusive**;
3. one supporting authoritative source makes it **verified** (record kinds such as
   ``court_record`` are authoritative only for their own category when one is given);
4. otherwise supporting sources from at least ``independent_origins`` different
   normalised origins make it **verified**, provided one of them anchors (a record or a
   document). A reference's or the candidate's own word corroborates but never anchors,
   so references alone, however many, leave it **unverified**; so does the same origin
   twice, and so does a source whose origin is blank.

Origins are compared after ``normalise_origin``; OpenCC folds Traditional into Simplified
Chinese there, because the same institution written in either script is one origin.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

import opencc
import yaml

from fairscreen.scope.policy import METHODS, load_taxonomy
from fairscreen.shared.errors import ValidationFailed
from fairscreen.shared.languages import RULE_DATA_LANGUAGES

# How serious a finding is, mildest first: the rating rules and every form use these.
Severity = Literal["minor", "material", "falsified", "conviction"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

RULES_FILE = "verification-v2.yaml"
# Kinds that carry a person's word: the engine refuses rules letting them verify alone.
TESTIMONY_KINDS = frozenset({"reference", "self_declared"})

# Trailing words that name a legal form, not an origin ("Acme Co., Ltd." is "Acme").
_LATIN_SUFFIXES = frozenset(
    "ltd limited inc incorporated corp corporation co company llc llp lp plc gmbh ag sa "
    "srl bv nv pte pty kk".split()
)
# Longest first, so that 股份有限公司 goes whole rather than leaving 股份.
_CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "株式会社", "公司", "集团")
_TOKEN = re.compile(r"[^\W_]+")


class Status(StrEnum):
    """The verification status of a finding."""

    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    INCONCLUSIVE = "inconclusive"


class Reason(StrEnum):
    """Why a finding has its status; each has a text in three languages in the rules."""

    AUTHORITATIVE_SOURCE = "authoritative_source"
    INDEPENDENT_SOURCES = "independent_sources"
    CONTRADICTED = "contradicted"
    NO_SOURCES = "no_sources"
    TESTIMONY_ONLY = "testimony_only"
    SINGLE_ORIGIN = "single_origin"


class VerificationRulesError(ValidationFailed):
    """The verification rules file does not follow the schema or breaks an invariant."""

    default_message = "The verification rules are not valid."


class UnknownSourceKind(ValidationFailed):
    """A source names a kind the rules do not know."""

    default_message = "Unknown source kind."


@dataclass(frozen=True, slots=True)
class SourceView:
    """What the rules may see of a source: its kind, origin and what it says."""

    kind: str
    origin_normalised: str
    supports: bool
    retracted: bool
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """A finding's status, why, and under which rules version."""

    status: Status
    reason_code: Reason
    rules_version: str


@dataclass(frozen=True, slots=True)
class SourceKind:
    """How a kind of source counts towards verification."""

    code: str
    authoritative: bool
    authoritative_for: frozenset[str] | None  # None: for every category
    anchors: bool
    requires_subject: bool  # a record about a person: carries the subject's identifiers
    names: Mapping[str, str]
    method: str | None = None  # the scope rules' collection method; None: always allowed
    subject_exempt: bool = False  # the candidate's own word: about the candidate by nature
    court_document: bool = False  # may name the candidate by a court document

    def is_authoritative_for(self, category: str | None) -> bool:
        """Tell whether one such source verifies a finding of this category alone."""
        if not self.authoritative:
            return False
        return (
            category is None
            or self.authoritative_for is None
            or (category in self.authoritative_for)
        )


@dataclass(frozen=True)
class VerificationRules:
    """The verification rules in force: source kinds and the corroboration threshold."""

    version: str
    independent_origins: int
    kinds: Mapping[str, SourceKind]
    reasons: Mapping[Reason, Mapping[str, str]]
    # Categories whose findings are records about a person: every source carries a subject.
    record_categories: frozenset[str] = frozenset()

    @classmethod
    def from_data(cls, data: Any) -> VerificationRules:
        """Build rules from their YAML document, refusing anything unsafe or malformed."""
        _require(isinstance(data, Mapping), "the rules document must be a mapping")
        version = data.get("version")
        _require(isinstance(version, str) and bool(version), "version must be a string")
        need = data.get("independent_origins")
        _require(
            isinstance(need, int) and not isinstance(need, bool) and need >= 2,
            "independent_origins must be an integer of at least 2",
        )
        raw_kinds = data.get("kinds")
        _require(isinstance(raw_kinds, Mapping) and bool(raw_kinds), "kinds must be a mapping")
        kinds = {code: _kind(code, body) for code, body in raw_kinds.items()}
        for code in TESTIMONY_KINDS:
            _require(code in kinds, f"kind {code!r} must be defined")
            # A person's word alone is never enough (DESIGN: multi-source verification).
            _require(
                not kinds[code].authoritative and not kinds[code].anchors,
                f"kind {code!r} may neither be authoritative nor anchor",
            )
        raw_reasons = data.get("reasons")
        _require(isinstance(raw_reasons, Mapping), "reasons must be a mapping")
        _require(
            set(raw_reasons) == {r.value for r in Reason},
            f"reasons must cover exactly {sorted(r.value for r in Reason)}",
        )
        reasons = {Reason(k): _texts(v, f"reasons.{k}") for k, v in raw_reasons.items()}
        records = data.get("record_categories", [])
        _require(
            isinstance(records, list) and all(isinstance(c, str) for c in records),
            "record_categories must be a list of categories",
        )
        taxonomy = load_taxonomy()
        for code in records:
            category = taxonomy.get(code)
            _require(
                category is not None and not category.forbidden,
                f"record_categories: {code!r} is not a collectable category",
            )
        return cls(version, need, kinds, reasons, frozenset(records))

    @property
    def record_kinds(self) -> frozenset[str]:
        """Return the kinds whose sources carry the subject's identifiers for any category."""
        return frozenset(code for code, kind in self.kinds.items() if kind.requires_subject)

    def subject_required(self, kind: str, category: str) -> bool:
        """Tell whether a source of this kind for a finding of this category is a record
        about a person, which must carry the identifiers of the person it names.

        The one home of the rule: a record kind always does; any kind does for a record
        category (a conviction, a credit default, a lawsuit, a driving record) unless it is
        the candidate's own word.
        """
        source = self.kind(kind)
        if source.requires_subject:
            return True
        return category in self.record_categories and not source.subject_exempt

    def kind(self, code: str) -> SourceKind:
        """Return the source kind with this code, refusing unknown ones."""
        try:
            return self.kinds[code]
        except KeyError:
            raise UnknownSourceKind(f"unknown source kind {code!r}", kind=code) from None


@cache
def load_rules() -> VerificationRules:
    """Load the verification rules shipped with the package."""
    text = (
        resources.files("fairscreen.verification")
        .joinpath("rules", RULES_FILE)
        .read_text(encoding="utf-8")
    )
    return VerificationRules.from_data(yaml.safe_load(text))


def normalise_origin(origin: str) -> str:
    """Return the comparable form of an origin: folded, unpunctuated, without legal form."""
    text = unicodedata.normalize("NFKC", origin)
    text = unicodedata.normalize("NFKC", text.casefold())
    # Tokenising first also drops lone surrogates, which OpenCC cannot encode.
    tokens = _t2s().convert(" ".join(_TOKEN.findall(text))).split()
    while len(tokens) > 1 and tokens[-1] in _LATIN_SUFFIXES:
        tokens.pop()
    joined = "".join(tokens)
    stripped = True
    while stripped:
        stripped = False
        for suffix in _CJK_SUFFIXES:
            if joined.endswith(suffix) and len(joined) > len(suffix):
                joined = joined[: -len(suffix)]
                stripped = True
                break
    return joined


def status_of(
    sources: Sequence[SourceView],
    rules: VerificationRules | None = None,
    *,
    category: str | None = None,
) -> VerificationResult:
    """Return the verification status of a finding from all its sources."""
    rules = rules or load_rules()
    live = [(source, rules.kind(source.kind)) for source in sources if not source.retracted]
    if any(not source.supports for source, _ in live):
        return VerificationResult(Status.INCONCLUSIVE, Reason.CONTRADICTED, rules.version)
    if not live:
        return VerificationResult(Status.UNVERIFIED, Reason.NO_SOURCES, rules.version)
    if any(kind.is_authoritative_for(category) for _, kind in live):
        return VerificationResult(Status.VERIFIED, Reason.AUTHORITATIVE_SOURCE, rules.version)
    # Normalise again: cheap, idempotent, and it keeps a raw origin from passing as two.
    origins = {normalise_origin(source.origin_normalised) for source, _ in live} - {""}
    anchored = {
        normalise_origin(source.origin_normalised) for source, kind in live if kind.anchors
    } - {""}
    if not anchored:
        return VerificationResult(Status.UNVERIFIED, Reason.TESTIMONY_ONLY, rules.version)
    if len(origins) < rules.independent_origins:
        return VerificationResult(Status.UNVERIFIED, Reason.SINGLE_ORIGIN, rules.version)
    return VerificationResult(Status.VERIFIED, Reason.INDEPENDENT_SOURCES, rules.version)


def months_before(when: datetime, months: int) -> datetime:
    """Return the same instant `months` calendar months earlier (the day clamped to the month)."""
    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    days_in_month = [31, 29 if _leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return when.replace(year=year, month=month, day=min(when.day, days_in_month[month - 1]))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def needs_reverification(
    sources: Sequence[SourceView],
    now: datetime,
    months: int,
    rules: VerificationRules | None = None,
    *,
    category: str | None = None,
) -> bool:
    """Tell whether a verified finding rests on a reference's word that has grown stale.

    A finding that a reference interview holds up (it would not be verified without the
    reference) must be verified afresh before it may count against the candidate once its
    newest supporting source is older than `months`: FCRA §614 asks this of adverse facts
    from interviews after three months, because memories and circumstances change and an
    old word should not cost a job unchecked. A fresh source of any kind re-verifies it.
    """
    live = [source for source in sources if not source.retracted and source.supports]
    references = [source for source in live if source.kind == "reference"]
    if not references:
        return False
    without = [source for source in sources if source not in references]
    if status_of(without, rules, category=category).status is Status.VERIFIED:
        return False  # the records and documents hold it up on their own
    return max(source.recorded_at for source in live) < months_before(now, months)


@cache
def _t2s() -> Any:
    # Built lazily: OpenCC reads its dictionaries (about 5 ms), which import must not do.
    return opencc.OpenCC("t2s")


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise VerificationRulesError(message)


def _texts(value: Any, where: str) -> dict[str, str]:
    _require(
        isinstance(value, Mapping) and set(value) == set(RULE_DATA_LANGUAGES),
        f"{where} must give exactly {list(RULE_DATA_LANGUAGES)}",
    )
    _require(all(isinstance(t, str) and t.strip() for t in value.values()), f"{where}: empty")
    return dict(value)


def _kind(code: Any, body: Any) -> SourceKind:
    where = f"kinds.{code}"
    _require(isinstance(code, str) and bool(re.fullmatch(r"[a-z][a-z_]*", code)), f"bad {where}")
    _require(isinstance(body, Mapping), f"{where} must be a mapping")
    flag_names = (
        "authoritative",
        "anchors",
        "requires_subject",
        "always_allowed",
        "subject_exempt",
        "court_document",
    )
    allowed = {*flag_names, "authoritative_for", "method", "names"}
    _require(set(body) <= allowed, f"{where}: unknown keys {sorted(set(body) - allowed)}")
    flags = {k: body.get(k, False) for k in flag_names}
    _require(all(isinstance(v, bool) for v in flags.values()), f"{where}: flags must be booleans")
    method = body.get("method")
    # Exactly one: a kind is one of the scope's methods, or the candidate's word, always allowed.
    _require(
        (method in METHODS) != flags["always_allowed"],
        f"{where}: give either a method of {list(METHODS)} or always_allowed: true",
    )
    _require(
        not (flags["subject_exempt"] and flags["requires_subject"]),
        f"{where}: a kind cannot both require a subject and be exempt from one",
    )
    _require(
        not flags["court_document"] or flags["requires_subject"],
        f"{where}: only a record kind may name the candidate by a court document",
    )
    scope = body.get("authoritative_for")
    _require(
        scope is None
        or (isinstance(scope, list) and bool(scope) and all(isinstance(c, str) for c in scope)),
        f"{where}.authoritative_for must be a non-empty list of categories",
    )
    _require(scope is None or flags["authoritative"], f"{where}: authoritative_for needs authority")
    return SourceKind(
        code=code,
        authoritative=flags["authoritative"],
        authoritative_for=None if scope is None else frozenset(scope),
        anchors=flags["anchors"],
        requires_subject=flags["requires_subject"],
        names=_texts(body.get("names"), f"{where}.names"),
        method=None if flags["always_allowed"] else str(method),
        subject_exempt=flags["subject_exempt"],
        court_document=flags["court_document"],
    )


ORIGINS_FILE = "origins-v1.yaml"
_NUMBER = re.compile(r"\d+(?:st|nd|rd|th)?")
_CJK_NUMBER = re.compile(r"第?[\d一二三四五六七八九十百零〇]+$")


@dataclass(frozen=True)
class OriginUnits:
    """The words that name a part of an organisation (rules/origins-v1.yaml)."""

    version: str
    latin: frozenset[str]
    number_words: frozenset[str]
    cjk: tuple[str, ...]


@cache
def origin_units() -> OriginUnits:
    """Load the words naming parts of organisations."""
    text = resources.files("fairscreen.verification").joinpath("rules", ORIGINS_FILE)
    data = yaml.safe_load(text.read_text(encoding="utf-8"))
    cjk = tuple(sorted((str(w) for w in data["cjk_units"]), key=len, reverse=True))
    return OriginUnits(
        version=str(data["version"]),
        latin=frozenset(str(w).casefold() for w in data["latin_units"]),
        number_words=frozenset(str(w).casefold() for w in data["number_words"]),
        cjk=cjk,
    )


def origin_organisation(origin: str, units: OriginUnits | None = None) -> str:
    """Return the organisation an origin names, comparable: `normalise_origin` of the name
    without its trailing department, branch or office and their numbers.

    "ACME HR", "ACME HR dept 2" and "Acme Ltd. Human Resources" are one origin, ACME.
    """
    units = units or origin_units()
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", origin).casefold())
    tokens = _t2s().convert(" ".join(_TOKEN.findall(text))).split()
    while len(tokens) > 1:
        last = tokens[-1]
        if _NUMBER.fullmatch(last):
            tokens.pop()
            if len(tokens) > 1 and tokens[-1] in units.number_words:
                tokens.pop()
        elif last in units.latin or last in _LATIN_SUFFIXES:
            tokens.pop()
        else:
            break
    joined = "".join(tokens)
    stripped = True
    while stripped:
        stripped = False
        for suffix in units.cjk:
            rest = joined[: -len(suffix)]
            if joined.endswith(suffix) and len(rest) >= 2:
                unnumbered = _CJK_NUMBER.sub("", rest)  # 第二分公司: the number goes too
                joined = unnumbered if len(unnumbered) >= 2 else rest
                stripped = True
                break
    return normalise_origin(joined)
