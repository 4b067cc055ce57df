"""Which subsidy pages a user's roles open (for ``subsidies/_nav.html`` and the links on other pages)."""

from __future__ import annotations

from collections.abc import Iterable

from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role


def subsidy_nav_perms(roles: Iterable[Role]) -> dict[str, bool]:
    """Return the flags ``subsidies/_nav.html`` reads (one per subsidy action)."""
    roles = frozenset(roles)
    return {
        "view": can(roles, Action.SUBSIDY_VIEW),
        "programs": can(roles, Action.SUBSIDY_PROGRAMS),
        "register": can(roles, Action.SUBSIDY_REGISTER),
        "reports": can(roles, Action.SUBSIDY_REPORTS),
        "nik_view": can(roles, Action.SUBSIDY_NIK_VIEW),
    }
