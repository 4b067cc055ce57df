"""Which gerai pages a user's roles open (for ``shop/_nav.html`` and the links on other pages)."""

from __future__ import annotations

from collections.abc import Iterable

from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role


def shop_nav_perms(roles: Iterable[Role]) -> dict[str, bool]:
    """Return the flags ``shop/_nav.html`` reads (one per gerai action)."""
    roles = frozenset(roles)
    return {
        "view": can(roles, Action.SHOP_VIEW),
        "catalogue": can(roles, Action.SHOP_CATALOGUE),
        "purchase": can(roles, Action.SHOP_PURCHASE),
        "receive": can(roles, Action.SHOP_RECEIVE),
        "pay": can(roles, Action.SHOP_PAY),
        "sell": can(roles, Action.SHOP_SELL),
        "return_approve": can(roles, Action.SHOP_RETURN_APPROVE),
        "stock": can(roles, Action.SHOP_STOCK),
        "count": can(roles, Action.SHOP_STOCK_COUNT),
        "reports": can(roles, Action.SHOP_REPORTS),
        "het_manage": can(roles, Action.HET_MANAGE),
    }
