"""Scope determination (確定範圍): which categories and methods a position may use.

Pure: the taxonomy and the jurisdiction packs are versioned YAML in `rules/`; this
module loads, validates and applies them. No framework imports.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from fairscreen.shared.errors import ForbiddenCategory, OutOfScope, ValidationFailed
from fairscreen.shared.languages import RULE_DATA_LANGUAGES

METHODS = ("official_registry", "issuing_institution", "employer_record", "document", "reference")


class RulesError(Exception):
    """Rule data that fails validation: raised at start-up, never at request time."""


@dataclass(frozen=True)
class Category:
    code: str
    names: Mapping[str, str]
    sensitive: bool = False
    forbidden: bool = False
    methods: tuple[str, ...] = ()
    why: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Taxonomy:
    version: str
    categories: Mapping[str, Category]
    method_names: Mapping[str, Mapping[str, str]]

    def get(self, code: str) -> Category | None:
        """Return a category by code, if it exists."""
        return self.categories.get(code)


@dataclass(frozen=True)
class Grant:
    categories: tuple[str, ...]
    purposes: tuple[str, ...] | None  # None: every purpose
    grades: tuple[str, ...] | None


@dataclass(frozen=True)
class Pack:
    code: str
    version: str
    purposes: tuple[str, ...]
    grades: tuple[str, ...]
    grants: tuple[Grant, ...]
    forbidden: frozenset[str]
    litigation_roles_allowed: frozenset[str]
    settings: Mapping[str, Any]
    taxonomy: Taxonomy

    def allowed_categories(self, purpose: str, grade: str) -> tuple[str, ...]:
        """Return the categories a position of this purpose and grade may request."""
        self.check_position(purpose, grade)
        allowed: set[str] = set()
        for grant in self.grants:
            if grant.purposes is not None and purpose not in grant.purposes:
                continue
            if grant.grades is not None and grade not in grant.grades:
                continue
            allowed.update(grant.categories)
        allowed -= self.forbidden
        return tuple(c for c in self.taxonomy.categories if c in allowed)

    def check_position(self, purpose: str, grade: str) -> None:
        """Refuse a purpose or grade this pack does not know."""
        if purpose not in self.purposes:
            raise ValidationFailed(
                f"Unknown purpose '{purpose}'; use one of: {', '.join(self.purposes)}.",
                field="purpose",
            )
        if grade not in self.grades:
            raise ValidationFailed(
                f"Unknown grade '{grade}'; use one of: {', '.join(self.grades)}.", field="grade"
            )

    def check_requested(self, requested: Sequence[str], allowed: Iterable[str]) -> tuple[str, ...]:
        """Check the categories a case requests; return them de-duplicated in taxonomy order."""
        if not requested:
            raise ValidationFailed("Request at least one category.", field="categories")
        allowed_set = set(allowed)
        for code in requested:
            if code in self.forbidden:
                raise ForbiddenCategory(
                    f"'{code}' may never be collected for employment.", category=code
                )
            if self.taxonomy.get(code) is None:
                raise ValidationFailed(f"Unknown category '{code}'.", field="categories")
        outside = [c for c in requested if c not in allowed_set]
        if outside:
            raise OutOfScope(
                f"The position does not allow: {', '.join(outside)}.", categories=outside
            )
        wanted = set(requested)
        return tuple(c for c in self.taxonomy.categories if c in wanted)

    def methods_for(self, category: str) -> tuple[str, ...]:
        """Return the methods that may be used for a category."""
        cat = self.taxonomy.get(category)
        return cat.methods if cat else ()

    def is_sensitive(self, category: str) -> bool:
        """Tell whether a category needs separate consent."""
        cat = self.taxonomy.get(category)
        return bool(cat and cat.sensitive)


def _read_yaml(*parts: str) -> Any:
    node = files("fairscreen.scope").joinpath("rules")
    for part in parts:
        node = node.joinpath(part)
    return yaml.safe_load(node.read_text(encoding="utf-8"))


def _names(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or any(not raw.get(lang) for lang in RULE_DATA_LANGUAGES):
        raise RulesError(f"{where}: names in {', '.join(RULE_DATA_LANGUAGES)} are required")
    return {lang: str(raw[lang]) for lang in RULE_DATA_LANGUAGES}


@cache
def load_taxonomy() -> Taxonomy:
    """Load and validate the category taxonomy."""
    raw = _read_yaml("categories.yaml")
    methods = {code: _names(names, f"method {code}") for code, names in raw["methods"].items()}
    categories: dict[str, Category] = {}
    for item in raw["categories"]:
        code = item["code"]
        if code in categories:
            raise RulesError(f"category {code} is listed twice")
        cat_methods = tuple(item.get("methods", ()))
        unknown = [m for m in cat_methods if m not in methods]
        if unknown:
            raise RulesError(f"category {code}: unknown methods {unknown}")
        forbidden = bool(item.get("forbidden", False))
        if forbidden and cat_methods:
            raise RulesError(f"forbidden category {code} may not list methods")
        categories[code] = Category(
            code=code,
            names=_names(item["names"], f"category {code}"),
            sensitive=bool(item.get("sensitive", False)),
            forbidden=forbidden,
            methods=cat_methods,
            why=item.get("why", {}),
        )
    return Taxonomy(version=str(raw["version"]), categories=categories, method_names=methods)


def _tuple_or_all(value: Any) -> tuple[str, ...] | None:
    return None if value == "*" else tuple(value)


@cache
def load_pack(code: str = "cn") -> Pack:
    """Load and validate a jurisdiction pack."""
    taxonomy = load_taxonomy()
    try:
        raw = _read_yaml("packs", f"{code}.yaml")
    except FileNotFoundError as exc:
        raise RulesError(f"no rule pack '{code}'") from exc
    base_forbidden = {c.code for c in taxonomy.categories.values() if c.forbidden}
    forbidden = frozenset(base_forbidden | set(raw.get("forbidden_extra", [])))
    grants = tuple(
        Grant(tuple(g["categories"]), _tuple_or_all(g["purposes"]), _tuple_or_all(g["grades"]))
        for g in raw["grants"]
    )
    for grant in grants:
        for cat in grant.categories:
            if cat not in taxonomy.categories:
                raise RulesError(f"pack {code}: grant names unknown category {cat}")
            if cat in forbidden:
                raise RulesError(f"pack {code}: grant names forbidden category {cat}")
    settings = {
        k: v
        for k, v in raw.items()
        if k not in {"code", "version", "purposes", "grades", "grants", "forbidden_extra"}
    }
    return Pack(
        code=str(raw["code"]),
        version=str(raw["version"]),
        purposes=tuple(raw["purposes"]),
        grades=tuple(raw["grades"]),
        grants=grants,
        forbidden=forbidden,
        litigation_roles_allowed=frozenset(raw.get("litigation_roles_allowed", ["defendant"])),
        settings=settings,
        taxonomy=taxonomy,
    )


def scope_hash(pack: Pack, categories: Iterable[str], purpose: str, grade: str) -> str:
    """Return the SHA-256 that freezes a scope: pack version, position class, categories."""
    doc = {
        "pack": pack.version,
        "taxonomy": pack.taxonomy.version,
        "purpose": purpose,
        "grade": grade,
        "categories": sorted(categories),
        "methods": {c: list(pack.methods_for(c)) for c in sorted(categories)},
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
