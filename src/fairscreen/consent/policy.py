"""What the rest of the system asks of consent: may this case collect this category now?"""

from __future__ import annotations

from collections.abc import Collection

from fairscreen.shared.errors import ConsentRequired, ConsentWithdrawn, OutOfScope


def check_collection(
    *, status: str, stopped: bool, granted: Collection[str] | None, category: str
) -> None:
    """Refuse collecting `category` unless consent is signed, standing, and covers it."""
    if stopped or status in ("withdrawn", "refused", "destroyed"):
        raise ConsentWithdrawn()
    if granted is None or status in ("draft", "awaiting_consent"):
        raise ConsentRequired()
    if category not in granted:
        raise OutOfScope(f"The candidate did not grant '{category}'.", category=category)
