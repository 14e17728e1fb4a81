"""Who may do what: the actor, the roles, and the `access_*` checks.

One condition per line, so a reviewer can read each rule as a sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fairscreen.shared.errors import Forbidden, NotFound, ValidationFailed

ORG_KINDS = ("employer", "agency", "regulator")
ROLES = ("admin", "employer", "investigator", "regulator")
# Which roles a user of each kind of organisation may hold.
ROLES_BY_ORG_KIND = {
    "employer": ("admin", "employer", "investigator"),
    "agency": ("admin", "investigator"),
    "regulator": ("admin", "regulator"),
}


# A password long enough that online guessing at the sign-in limits gets nowhere (NIST SP
# 800-63B asks for at least 8; 12 leaves room), and short enough for Argon2 to hash at once.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024


def check_password(password: str) -> None:
    """Refuse a password shorter than the minimum (or longer than the form takes)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"Choose a password of at least {MIN_PASSWORD_LENGTH} characters "
            "(a few words together are easy to remember).",
            field="password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"Choose a password of at most {MAX_PASSWORD_LENGTH} characters.", field="password"
        )


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff user, a candidate (by token), or the system itself."""

    kind: str  # staff | candidate | system
    id: str
    org_id: str | None = None
    role: str | None = None
    org_kind: str | None = None
    case_id: str | None = None  # candidates act on exactly one case

    @property
    def ref(self) -> str:
        """Return the pseudonymous reference events carry."""
        return f"{self.kind}:{self.id}"


SYSTEM = Actor(kind="system", id="fairscreen")


@dataclass(frozen=True)
class CaseRef:
    """What access checks need to know about a case."""

    id: str
    employer_org_id: str
    agency_org_id: str | None


def require_staff(actor: Actor, *roles: str) -> None:
    """Refuse anyone but staff holding one of `roles`."""
    if actor.kind != "staff":
        raise Forbidden()
    if roles and actor.role not in roles:
        raise Forbidden(f"This needs the role: {' or '.join(roles)}.")


def can_see_case(actor: Actor, case: CaseRef) -> bool:
    """Tell whether the actor may see the case at all (else it is 'not found')."""
    if actor.kind == "system":
        return True
    if actor.kind == "candidate":
        return actor.case_id == case.id
    if actor.kind != "staff":
        return False
    if actor.role == "regulator":
        return False  # regulators see figures and ledger events, never a case file
    if actor.org_id == case.employer_org_id:
        return actor.role in ("admin", "employer", "investigator")
    if case.agency_org_id is not None and actor.org_id == case.agency_org_id:
        return actor.role in ("admin", "investigator")
    return False


def access_case(actor: Actor, case: CaseRef | None) -> CaseRef:
    """Return the case if the actor may see it, else raise `not_found`."""
    if case is None:
        raise NotFound()
    if not can_see_case(actor, case):
        raise NotFound()
    return case


def access_case_as_investigator(actor: Actor, case: CaseRef | None) -> CaseRef:
    """Allow the investigators doing the check: the agency's, or the employer's own team."""
    ref = access_case(actor, case)
    require_staff(actor, "investigator")
    doing_the_check = ref.agency_org_id or ref.employer_org_id
    if actor.org_id != doing_the_check:
        raise Forbidden("Only the organisation doing the check records findings.")
    return ref


def access_case_as_employer(actor: Actor, case: CaseRef | None) -> CaseRef:
    """Allow the requesting employer's HR users."""
    ref = access_case(actor, case)
    require_staff(actor, "employer", "admin")
    if actor.org_id != ref.employer_org_id:
        raise Forbidden("Only the employer who opened the case may do this.")
    return ref


@dataclass(frozen=True)
class OrgRef:
    """What organisation-level access checks need to know about an organisation."""

    id: str
    kind: str
    regulator_id: str | None


def access_org_as_regulator(actor: Actor, org: OrgRef | None) -> OrgRef:
    """Allow a regulator's users over the organisations under its authority only."""
    if actor.kind != "staff":
        raise Forbidden()
    if actor.role != "regulator" or actor.org_kind != "regulator":
        raise Forbidden("This is for the regulator's inspectors.")
    if org is None:
        raise NotFound()
    if org.regulator_id is None or org.regulator_id != actor.org_id:
        raise NotFound()
    return org


def access_org_as_admin_or_regulator(actor: Actor, org: OrgRef | None) -> OrgRef:
    """Allow an organisation's own admin, or the regulator over it.

    The one rule for an organisation's compliance figures, its record of processing
    activities and impact assessments, its bias audit and its breaches.
    """
    if actor.kind == "staff" and actor.role == "regulator":
        return access_org_as_regulator(actor, org)
    require_staff(actor, "admin")
    if org is None or actor.org_id != org.id:
        raise NotFound()
    return org


# Event types the organisation's own staff do not read in the ledger feed: whether a
# candidate volunteered demographics is kept apart from staff (its regulator sees it).
HIDDEN_FROM_OWN_STAFF = ("demographics.",)


@dataclass(frozen=True)
class LedgerFeed:
    """Whose ledger events an actor reads: organisations, and type prefixes left out."""

    org_ids: tuple[str, ...]
    hidden_types: tuple[str, ...]


def is_regulator(actor: Actor) -> bool:
    """Tell whether the actor is a regulator's inspector."""
    return actor.kind == "staff" and actor.role == "regulator" and actor.org_kind == "regulator"


def access_ledger_feed(actor: Actor, orgs_under: Iterable[str] = ()) -> LedgerFeed:
    """Allow staff their organisation's events, and a regulator those of the orgs under it."""
    if actor.kind != "staff" or actor.org_id is None:
        raise Forbidden("The ledger's events are for the organisations' staff and regulators.")
    if is_regulator(actor):
        return LedgerFeed((actor.org_id, *orgs_under), ())
    return LedgerFeed((actor.org_id,), HIDDEN_FROM_OWN_STAFF)
