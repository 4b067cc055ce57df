"""What the subsidy pages share (programmes in ``views_programs``, recipients in ``views_recipients``).

Each view: fetch the cooperative with the user's roles and check the action
(``cooperative_get_for_user``: SUBSIDY_VIEW to read, SUBSIDY_PROGRAMS or SUBSIDY_REGISTER to
write), parse a form, call one service or selector, render. ``NotFound`` and
``PermissionDenied`` raised before a form is read propagate to ``DomainErrorMiddleware``
(404 / 403); a service's ``ValidationError`` (422) or ``Conflict`` (409) is shown on the form
with the entered values kept, and nothing is written. A write that succeeds redirects
(POST-redirect-GET) with a message.

NIK and KK are shown masked; ``?unmask=1`` shows them in full to SUBSIDY_NIK_VIEW only
(403 for anyone else) and every such rendering writes one audit row
(``services.nik_view_record``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.subsidies.navigation import subsidy_nav_perms

GET_POST = require_http_methods(["GET", "POST"])
REFUSED = (ValidationError, Conflict)
PAGE_SIZE = 50
MAX_ID = 2**63 - 1  # an id above this is no row (and SQLite cannot even compare it)
UNMASK_PARAM = "unmask"


def subsidy_coop(request: HttpRequest, code: str, action: Action) -> tuple[Cooperative, frozenset[Role]]:
    return cooperative_get_for_user(user=request.user, code=code, action=action)


def subsidy_page(
    request: HttpRequest,
    template: str,
    coop: Cooperative,
    roles: frozenset[Role],
    active: str,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    context = {"coop": coop, "subsidy_perms": subsidy_nav_perms(roles), "active": active, **context}
    return render(request, f"subsidies/{template}", context, status=status)


def object_id(value: int | str | None) -> int:
    """An id from the URL or a query string; one no row can have is simply not found."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 19 or int(text) > MAX_ID:
        raise NotFound("Data tidak ditemukan.")
    return int(text)


def add_domain_error(form: Any, error: DomainError) -> int:
    """Show a service's error on the form, on the field its key names (``form.field_for`` when defined)."""
    if not isinstance(error, ValidationError) or not isinstance(error.detail, dict):
        return form_add_domain_error(form, error)
    resolve = getattr(form, "field_for", None)
    placed = False
    for key, messages in error.detail.items():
        name = resolve(str(key)) if resolve else (str(key) if str(key) in form.fields else None)
        if name is None:
            continue
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(name, str(message))
        placed = True
    if not placed:
        form.add_error(None, error.message)
    return error.status


def unmask_requested(request: HttpRequest, roles: frozenset[Role]) -> bool:
    """Whether the page was asked to show full NIK/KK numbers; refused (403) without SUBSIDY_NIK_VIEW."""
    if request.GET.get(UNMASK_PARAM) != "1":
        return False
    if not can(roles, Action.SUBSIDY_NIK_VIEW):
        raise PermissionDenied("Hanya ketua, bendahara dan manajer yang boleh melihat NIK dan KK lengkap.")
    return True
