"""Which SHU pages a user's roles open (for ``shu/_nav.html`` and the links on other pages)."""

from __future__ import annotations

from collections.abc import Iterable

from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role


def shu_nav_perms(roles: Iterable[Role]) -> dict[str, bool]:
    """Return the flags ``shu/_nav.html`` reads (one per SHU action)."""
    roles = frozenset(roles)
    return {
        "view": can(roles, Action.SHU_VIEW),
        "settings": can(roles, Action.SHU_SETTINGS),
        "simulate": can(roles, Action.SHU_SIMULATE),
        "close": can(roles, Action.SHU_CLOSE),
        "reopen": can(roles, Action.SHU_REOPEN),
        "approve": can(roles, Action.SHU_APPROVE),
        "pay": can(roles, Action.SHU_PAY),
        "fund_spend": can(roles, Action.SHU_FUND_SPEND),
    }
