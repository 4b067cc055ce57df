"""Home: send each user to where their role works."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from koperasi.core.access import global_roles
from koperasi.core.models import CooperativeRole
from koperasi.core.permissions import Action, can


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if can(global_roles(request.user), Action.OVERSIGHT_VIEW):
        return redirect("oversight:cooperative_list")
    codes = list(
        CooperativeRole.objects.filter(user=cast(Any, request.user))
        .values_list("cooperative__code", flat=True)
        .distinct()
    )
    if len(codes) == 1:
        return redirect("cooperatives:detail", codes[0])
    return render(request, "core/home.html", {})
