"""The consent document: rendered from a versioned template; its hash covers the exact text."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from fairscreen.scope.policy import Pack
from fairscreen.shared.languages import RULE_DATA_LANGUAGES, page_language, text_in


@dataclass(frozen=True)
class ConsentDocument:
    version: str
    lang: str
    text: str

    @property
    def sha256(self) -> str:
        """Return the SHA-256 of the exact text shown to the candidate."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@cache
def load_template() -> dict[str, Any]:
    """Load the consent template and check every language is complete."""
    raw: dict[str, Any] = yaml.safe_load(
        files("fairscreen.consent").joinpath("rules", "consent-v1.yaml").read_text("utf-8")
    )
    keys = set(raw["texts"]["en"])
    for lang in RULE_DATA_LANGUAGES:
        if set(raw["texts"][lang]) != keys:
            raise ValueError(f"consent template: {lang} does not have the same parts as en")
    return raw


def render(
    *,
    pack: Pack,
    lang: str,
    employer: str,
    agency: str | None,
    position: str,
    purpose: str,
    candidate: str,
    categories: Sequence[str],
    retention: Mapping[str, int] | None = None,
) -> ConsentDocument:
    """Render the consent document for one case in one language."""
    template = load_template()
    lang = page_language(lang)
    t = text_in(template["texts"], lang)
    sep = "、" if lang != "en" else ", "
    lines = [t["title"], ""]
    agency_clause = t["agency_clause"].format(agency=agency) if agency else ""
    lines.append(
        t["intro"].format(
            employer=employer,
            agency_clause=agency_clause,
            position=position,
            candidate=candidate,
            purpose=text_in(template["purposes"][purpose], lang),
        )
    )
    lines += ["", t["categories_heading"]]
    for code in categories:
        cat = pack.taxonomy.categories[code]
        methods = sep.join(text_in(pack.taxonomy.method_names[m], lang) for m in cat.methods)
        lines.append(
            t["category_line"].format(
                name=text_in(cat.names, lang),
                sensitive=t["sensitive_mark"] if cat.sensitive else "",
                methods=methods,
                why=text_in(cat.why, lang) if cat.why else "",
            )
        )
    days = dict(pack.settings.get("retention_days", {}))
    days.update(retention or {})
    lines += [
        "",
        t["retention"].format(
            not_hired=days.get("not_hired", 180), hired_after_end=days.get("hired_after_end", 30)
        ),
    ]
    lines += ["", t["rights"], "", t["contact"].format(employer=employer), ""]
    return ConsentDocument(version=str(template["version"]), lang=lang, text="\n".join(lines))
