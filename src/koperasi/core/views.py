"""Home: send each user to where their role works."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from koperasi.core.access import global_roles
from koperasi.core.models import CooperativeRole
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Dinas and admin go to oversight; a member whose only role is anggota goes to their portal;
    anyone else with one cooperative goes to it; the rest choose."""
    if can(global_roles(request.user), Action.OVERSIGHT_VIEW):
        return redirect("oversight:cooperative_list")
    user = cast(Any, request.user)
    grants = list(CooperativeRole.objects.filter(user=user).values_list("cooperative__code", "role"))
    codes = {code for code, _ in grants}
    if len(codes) == 1:
        code = codes.pop()
        # ``memberships``: the reverse of members.Member.user (core imports no domain app).
        if all(role == Role.ANGGOTA for _, role in grants) and user.memberships.filter(cooperative__code=code).exists():
            return redirect("portal:home", code)
        return redirect("cooperatives:detail", code)
    return render(request, "core/home.html", {})
