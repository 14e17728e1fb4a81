"""Load what requests would otherwise load on first use, before the server takes requests.

Each loader is cached once per process. Left to the first request that needs it, the
lexicon of forbidden topics and its matcher, the rule sets and the password hasher's
dummy hash cost a second or more of one request, holding the interpreter while every
other request of the process waits (bench_load: multi-second p99 on findings, consent
and case opening in a fresh replica). `fairscreen serve` calls `warm_up` before it
listens, so a replica is only reachable once they are in memory.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from fairscreen.consent.document import load_template
from fairscreen.feedback.policy import load_reasons
from fairscreen.identity.passwords import Passwords
from fairscreen.rating.policy import load_rules as load_rating_rules
from fairscreen.scope.guard import screen_text
from fairscreen.scope.lexicon import load_lexicon
from fairscreen.scope.policy import load_pack, load_taxonomy
from fairscreen.shared.languages import LANGUAGES
from fairscreen.shared.workdays import load_calendar
from fairscreen.verification.policy import load_rules as load_verification_rules
from fairscreen.web.l10n import catalog
from fairscreen.web.rendering import environment

PACKS = ("cn",)


def _screen_once(pack: str) -> None:
    screen_text("预热 warm-up", load_lexicon(pack))


def _loaders(passwords: Passwords) -> list[tuple[str, Callable[[], Any]]]:
    steps: list[tuple[str, Callable[[], Any]]] = [("taxonomy", load_taxonomy)]
    for pack in PACKS:
        steps += [
            (f"pack {pack}", partial(load_pack, pack)),
            # The first screen builds the lexicon's matcher and the text folding tables.
            (f"lexicon {pack}", partial(_screen_once, pack)),
            (f"calendar {pack}", partial(load_calendar, pack)),
        ]
    steps += [
        ("verification rules", load_verification_rules),
        ("rating rules", load_rating_rules),
        ("decision reasons", load_reasons),
        ("consent document", load_template),
        ("password check", passwords.warm),
        ("page templates", environment),
    ]
    steps += [(f"messages {lang}", partial(catalog, lang)) for lang in LANGUAGES]
    return steps


def warm_up(passwords: Passwords) -> dict[str, float]:
    """Load every per-process cache a request can need; return the milliseconds of each."""
    took: dict[str, float] = {}
    for name, load in _loaders(passwords):
        started = time.perf_counter()
        load()
        took[name] = round((time.perf_counter() - started) * 1000, 1)
    return took


def freeze_heap() -> int:
    """Put everything loaded so far out of the cyclic collector's sight; return how many.

    A served process holds some 365,000 long-lived objects once warmed up (rule sets,
    lexicon, templates, routes, models). Each full collection walked them all, about 90 ms
    during which the process answered nothing: the rare 100+ ms outliers of a list that
    otherwise takes 5 ms (bench_million, SQLite, list p99 115 ms). `gc.freeze` moves them
    to a permanent generation that collections skip; what is garbage now is collected
    first, and objects allocated later are collected as ever.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
