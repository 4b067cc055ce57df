"""Navigation by role for the base layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from koperasi.core.access import global_roles
from koperasi.core.models import CooperativeRole
from koperasi.core.permissions import Action, can


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    memberships: dict[str, dict[str, Any]] = {}
    for grant in CooperativeRole.objects.filter(user=user).select_related("cooperative").order_by("cooperative__name"):
        entry = memberships.setdefault(
            grant.cooperative.code, {"code": grant.cooperative.code, "name": grant.cooperative.name, "roles": []}
        )
        entry["roles"].append(grant.get_role_display())
    regional = global_roles(user)
    return {
        "nav_cooperatives": list(memberships.values()),
        "nav_oversight": can(regional, Action.OVERSIGHT_VIEW),
        "nav_admin": can(regional, Action.COOP_CREATE),
    }
