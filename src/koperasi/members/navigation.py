"""Which member and savings pages a user's roles open (for the shared sub-navigation)."""

from __future__ import annotations

from collections.abc import Iterable

from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role


def nav_perms(roles: Iterable[Role]) -> dict[str, bool]:
    """Return the flags ``members/_nav.html`` reads."""
    roles = frozenset(roles)
    return {
        "members": can(roles, Action.MEMBERS_VIEW),
        "manage": can(roles, Action.MEMBERS_MANAGE),
        "stats": can(roles, Action.MEMBER_STATS_VIEW),
        "savings": can(roles, Action.SAVINGS_VIEW),
        "transact": can(roles, Action.SAVINGS_TRANSACT),
        "settings": can(roles, Action.SAVINGS_SETTINGS),
        "batch": can(roles, Action.SAVINGS_BATCH),
        "correct": can(roles, Action.SAVINGS_CORRECT),
    }
