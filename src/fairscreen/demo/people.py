"""The demo candidates' identifiers: invented, one set per candidate.

Records about a person attach to a candidate only by an ID number and one more identifier
(matching/policy.py), so every demo candidate gives them with consent and every registry
source of the demo carries the same ones as the record's subject.
"""

from __future__ import annotations

from typing import Any


def identifiers(serial: int) -> dict[str, Any]:
    """Return invented identifiers for the demo candidate numbered `serial`."""
    return {
        "id_number": f"11010519900307{serial:04d}"[:18],
        "date_of_birth": "1990-03-07",
    }


def subject(name: str, serial: int) -> dict[str, Any]:
    """Return the subject a registry record of that candidate names."""
    return {"name": name, **identifiers(serial)}
