"""Rating (评级): published, versioned rules from verified findings to a level.

Levels order green < blue < yellow < red. The rules are data (``rules/rating-v1.yaml``);
their SHA-256 over the document's canonical JSON (RFC 8785) goes into every rating.

What holds by construction, whatever the rules file says:

- the input carries only what a rule may use (``RatingFinding``): no name, age, sex or
  other personal field can reach the engine;
- only verified, in-scope findings are rated, and adverse facts older than the look-back
  for their category are ignored (a fact of unknown age counts as current);
- a rule above green only ever sees adverse, job-related findings outside the
  never-adverse categories, and the loader refuses a rule above green whose condition does
  not itself demand that: litigation alone never rates worse than green;
- each finding goes to the highest-level rule it matches; the rating is the highest level
  fired (green when none), so adding a finding never makes a rating better.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from hashlib import sha256
from importlib import resources
from typing import Any

import rfc8785
import yaml

from fairscreen.shared.errors import ValidationFailed
from fairscreen.shared.languages import RULE_DATA_LANGUAGES, text_in
from fairscreen.verification.policy import SEVERITIES

RULES_FILE = "rating-v1.yaml"
# Enforced by the engine even if a rules file forgets it (DESIGN: Rating).
NEVER_ADVERSE = frozenset({"litigation"})
_CONDITION_KEYS = ("adverse", "job_related", "severity_in", "category_in", "category_not_in")


class Level(StrEnum):
    """A rating level; compare by ``rank``, never by the string."""

    GREEN = "green"
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"

    @property
    def rank(self) -> int:
        """Return the level's place in green < blue < yellow < red."""
        return _RANK[self]


_RANK = {level: i for i, level in enumerate(Level)}


class RatingRulesError(ValidationFailed):
    """The rating rules do not follow the schema or could break a guarantee."""

    default_message = "The rating rules are not valid."


@dataclass(frozen=True, slots=True)
class RatingFinding:
    """All a rating rule may know of a finding; nothing about the person."""

    id: str
    category: str
    adverse: bool
    severity: str
    job_related: bool
    in_scope: bool
    verified: bool
    fact_age_days: int | None  # days since the fact; None when unknown (counts as current)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        if self.fact_age_days is not None and self.fact_age_days < 0:
            raise ValueError("fact_age_days must not be negative")


@dataclass(frozen=True, slots=True)
class RatingInput:
    """The findings of one case and the jurisdiction pack's look-back days per category."""

    findings: tuple[RatingFinding, ...]
    lookback_days: Mapping[str, int] | None = None  # category or "default" -> days


@dataclass(frozen=True, slots=True)
class Explanation:
    """Which rule fired on which verified findings of one category, in three languages."""

    rule_id: str
    level: Level
    finding_ids: tuple[str, ...]
    text: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Rating:
    """A level with the rules that produced it and the explanation of every rule fired."""

    level: Level
    rules_version: str
    rules_sha256: str
    explanation: tuple[Explanation, ...]


@dataclass(frozen=True, slots=True)
class Condition:
    """A conjunction over one finding; an absent part matches anything."""

    adverse: bool | None = None
    job_related: bool | None = None
    severity_in: frozenset[str] | None = None
    category_in: frozenset[str] | None = None
    category_not_in: frozenset[str] = frozenset()

    def matches(self, f: RatingFinding) -> bool:
        """Tell whether the finding meets every part of the condition."""
        return (
            (self.adverse is None or f.adverse == self.adverse)
            and (self.job_related is None or f.job_related == self.job_related)
            and (self.severity_in is None or f.severity in self.severity_in)
            and (self.category_in is None or f.category in self.category_in)
            and f.category not in self.category_not_in
        )


@dataclass(frozen=True, slots=True)
class Rule:
    """A published rule: when it fires, at which level, and how it explains itself."""

    id: str
    level: Level
    when: Condition
    explanation: Mapping[str, str]  # templates with {count} and {category}


@dataclass(frozen=True)
class RatingRules:
    """The rating rules in force, with their version and the SHA-256 of their document."""

    version: str
    sha256: str
    rules: tuple[Rule, ...]  # highest level first, then file order
    default: Rule
    never_adverse: frozenset[str]
    lookback_days: Mapping[str, int]
    document: Mapping[str, Any] = field(repr=False)

    @classmethod
    def from_data(cls, document: Any) -> RatingRules:
        """Build rules from their document, refusing any rule that could break a guarantee."""
        _require(isinstance(document, Mapping), "the rules document must be a mapping")
        document = copy.deepcopy(document)  # the hash must keep matching what is kept
        try:
            canonical = rfc8785.dumps(document)
        except Exception as exc:  # rfc8785 raises several types for non-JSON values
            raise RatingRulesError(f"the rules must be plain JSON data: {exc}") from exc
        version = document.get("version")
        _require(isinstance(version, str) and bool(version), "version must be a string")
        for table in ("levels", "severities", "categories"):
            _require(isinstance(document.get(table), Mapping), f"{table} must be a mapping")
            for code, names in document[table].items():
                _texts(names, f"{table}.{code}")
        _require(
            set(document["levels"]) == set(Level), f"levels must be {[lv.value for lv in Level]}"
        )
        _require(set(document["severities"]) == set(SEVERITIES), f"severities must be {SEVERITIES}")
        never = _codes(document.get("never_adverse"), "never_adverse")
        _require(NEVER_ADVERSE <= never, f"never_adverse must include {sorted(NEVER_ADVERSE)}")
        lookback = document.get("lookback_days")
        _require(isinstance(lookback, Mapping) and "default" in lookback, "lookback_days.default")
        _require(all(_is_int(v) and v > 0 for v in lookback.values()), "look-backs must be > 0")
        raw_rules = document.get("rules")
        _require(isinstance(raw_rules, list) and bool(raw_rules), "rules must be a list")
        rules = [_rule(raw, never) for raw in raw_rules]
        _require(isinstance(document.get("default"), Mapping), "default must be a mapping")
        default = _rule({**document["default"], "when": {}}, never)
        _require(default.level is Level.GREEN, "the default rule must be green")
        ids = [r.id for r in rules] + [default.id]
        _require(len(set(ids)) == len(ids), "rule ids must be unique")
        _validate_wording(document.get("wording"))
        _require(isinstance(document.get("principles"), list), "principles must be a list")
        for i, texts in enumerate(document["principles"]):
            _texts(texts, f"principles[{i}]")
        ordered = tuple(sorted(rules, key=lambda r: -r.level.rank))  # stable: keeps file order
        digest = sha256(canonical).hexdigest()
        return cls(version, digest, ordered, default, never, dict(lookback), document)

    def published(self) -> dict[str, Any]:
        """Return the rules in plain words, three languages, for GET /api/v1/rating-rules."""
        doc = self.document
        rules = [self.default, *self.rules]
        # A copy: the caller may add to it, and these rules are cached and shared.
        return copy.deepcopy(
            {
                "version": self.version,
                "sha256": self.sha256,
                "sha256_of": "RFC 8785 canonical JSON of `document`",
                "levels": [
                    {"code": lv.value, "rank": lv.rank, "names": doc["levels"][lv]} for lv in Level
                ],
                "principles": list(doc["principles"]),
                "lookback_days": dict(self.lookback_days),
                "never_adverse": sorted(self.never_adverse),
                "rules": [
                    {
                        "id": r.id,
                        "level": r.level.value,
                        "level_names": doc["levels"][r.level],
                        "condition": self._in_words(r),
                        "explanation": dict(r.explanation),
                    }
                    for r in rules
                ],
                "document": doc,
            }
        )

    def _in_words(self, rule: Rule) -> dict[str, str]:
        if rule is self.default:
            return dict(rule.explanation)
        out: dict[str, str] = {}
        c = rule.when
        for lang in RULE_DATA_LANGUAGES:
            w = self.document["wording"][lang]
            parts = []
            if c.adverse is not None:
                parts.append(w["adverse"] if c.adverse else w["not_adverse"])
            if c.job_related is not None:
                parts.append(w["job_related"] if c.job_related else w["not_job_related"])
            for key, table in (
                ("severity_in", "severities"),
                ("category_in", "categories"),
                ("category_not_in", "categories"),
            ):
                codes = getattr(c, key)
                if codes:
                    names = [_name(self.document, table, code, lang) for code in sorted(codes)]
                    parts.append(w[key].format(values=w["or"].join(names)))
            tail = w["lookback"] if c.adverse else ""
            out[lang] = w["lead"] + w["and"].join(parts) + tail + w["end"]
        return out


@cache
def load_rules() -> RatingRules:
    """Load the rating rules shipped with the package."""
    resource = resources.files("fairscreen.rating").joinpath("rules", RULES_FILE)
    return RatingRules.from_data(yaml.safe_load(resource.read_text(encoding="utf-8")))


def rate(inp: RatingInput, rules: RatingRules | None = None) -> Rating:
    """Rate a case from its findings under the published rules."""
    rules = rules or load_rules()
    lookback = _lookback(rules.lookback_days, inp.lookback_days)
    fired: dict[tuple[int, str], list[str]] = defaultdict(list)
    for f in inp.findings:
        if not (f.verified and f.in_scope):
            continue
        limit = lookback.get(f.category, lookback["default"])
        if f.adverse and f.fact_age_days is not None and f.fact_age_days > limit:
            continue
        # Above green only adverse, job-related findings outside never-adverse categories.
        may_harm = f.adverse and f.job_related and f.category not in rules.never_adverse
        for i, rule in enumerate(rules.rules):
            if (rule.level is Level.GREEN or may_harm) and rule.when.matches(f):
                fired[(i, f.category)].append(f.id)
                break
    explanation = [
        _explain(rules, rules.rules[i], category, ids)
        for (i, category), ids in sorted(fired.items())
    ]
    level = max((e.level for e in explanation), key=lambda lv: lv.rank, default=Level.GREEN)
    if level is Level.GREEN:
        # Say why it is green, besides any green rule that fired (litigation not counted).
        explanation.insert(0, _explain(rules, rules.default, "", []))
    return Rating(level, rules.version, rules.sha256, tuple(explanation))


def _explain(rules: RatingRules, rule: Rule, category: str, ids: Sequence[str]) -> Explanation:
    text = {
        lang: template.format(
            count=len(ids), category=_name(rules.document, "categories", category, lang)
        )
        for lang, template in rule.explanation.items()
    }
    return Explanation(rule.id, rule.level, tuple(sorted(ids)), text)


def _name(document: Mapping[str, Any], table: str, code: str, lang: str) -> str:
    names = document[table].get(code)
    return str(text_in(names, lang)) if names else code


def _lookback(rules: Mapping[str, int], pack: Mapping[str, int] | None) -> dict[str, int]:
    # The pack is the jurisdiction's law: its values, default included, win over the rules'.
    merged = dict(rules)
    if pack:
        if "default" in pack:
            merged = {"default": pack["default"]}
        merged.update(pack)
    if not all(_is_int(v) and v >= 0 for v in merged.values()):
        raise ValueError("look-back days must be non-negative integers")
    return merged


def _rule(raw: Any, never: frozenset[str]) -> Rule:
    _require(isinstance(raw, Mapping), "each rule must be a mapping")
    rule_id = raw.get("id")
    _require(isinstance(rule_id, str) and bool(rule_id), "each rule needs an id")
    where = f"rule {rule_id}"
    _require(set(raw) <= {"id", "level", "when", "explanation"}, f"{where}: unknown keys")
    _require(raw.get("level") in set(Level), f"{where}: unknown level {raw.get('level')!r}")
    level = Level(raw["level"])
    when = raw.get("when")
    _require(isinstance(when, Mapping) and set(when) <= set(_CONDITION_KEYS), f"{where}: bad when")
    for key in ("adverse", "job_related"):
        _require(when.get(key) is None or isinstance(when[key], bool), f"{where}: {key} is boolean")
    sets = {key: _codes(when[key], f"{where}.{key}") for key in _CONDITION_KEYS[2:] if key in when}
    _require(sets.get("severity_in", frozenset()) <= set(SEVERITIES), f"{where}: unknown severity")
    cond = Condition(
        adverse=when.get("adverse"),
        job_related=when.get("job_related"),
        severity_in=sets.get("severity_in"),
        category_in=sets.get("category_in"),
        category_not_in=sets.get("category_not_in", frozenset()),
    )
    if level is not Level.GREEN:
        _require(
            cond.adverse is True and cond.job_related is True,
            f"{where}: a rule above green must require adverse: true and job_related: true",
        )
        excluded = cond.category_not_in | (
            frozenset() if cond.category_in is None else never - cond.category_in
        )
        _require(never <= excluded, f"{where}: a rule above green could fire on {sorted(never)}")
    texts = _texts(raw.get("explanation"), f"{where}.explanation")
    for lang, template in texts.items():
        try:
            template.format(count=1, category="x")
        except (KeyError, IndexError, ValueError) as exc:
            raise RatingRulesError(f"{where}.explanation.{lang}: bad placeholder {exc}") from exc
    return Rule(rule_id, level, cond, texts)


def _validate_wording(wording: Any) -> None:
    keys = {
        "lead",
        "adverse",
        "not_adverse",
        "job_related",
        "not_job_related",
        "severity_in",
        "category_in",
        "category_not_in",
        "lookback",
        "and",
        "or",
        "end",
    }
    _require(
        isinstance(wording, Mapping) and set(wording) == set(RULE_DATA_LANGUAGES),
        "wording languages",
    )
    for lang, phrases in wording.items():
        _require(isinstance(phrases, Mapping) and set(phrases) == keys, f"wording.{lang} keys")
        _require(all(isinstance(p, str) for p in phrases.values()), f"wording.{lang}: strings")


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise RatingRulesError(message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _codes(value: Any, where: str) -> frozenset[str]:
    _require(
        isinstance(value, list) and all(isinstance(v, str) and v for v in value),
        f"{where} must be a list of codes",
    )
    return frozenset(value)


def _texts(value: Any, where: str) -> dict[str, str]:
    _require(
        isinstance(value, Mapping) and set(value) == set(RULE_DATA_LANGUAGES),
        f"{where} must give exactly {list(RULE_DATA_LANGUAGES)}",
    )
    _require(all(isinstance(t, str) and t.strip() for t in value.values()), f"{where}: empty text")
    return dict(value)
