"""Which loan pages a user's roles open (for ``loans/_nav.html`` and the links on other pages)."""

from __future__ import annotations

from collections.abc import Iterable

from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role


def loan_nav_perms(roles: Iterable[Role]) -> dict[str, bool]:
    """Return the flags ``loans/_nav.html`` reads (one per loan action)."""
    roles = frozenset(roles)
    return {
        "view": can(roles, Action.LOANS_VIEW),
        "apply": can(roles, Action.LOANS_APPLY),
        "approve": can(roles, Action.LOANS_APPROVE),
        "disburse": can(roles, Action.LOANS_DISBURSE),
        "repay": can(roles, Action.LOANS_REPAY),
        "settings": can(roles, Action.LOANS_SETTINGS),
        "write_off": can(roles, Action.LOANS_WRITE_OFF),
        "batch": can(roles, Action.LOANS_BATCH),
    }
