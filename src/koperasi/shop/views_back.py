"""The gerai's landing page and the helpers the back-office pages share (catalogue, purchasing, stock).

Each view: fetch the cooperative with the user's roles and check the action
(``cooperative_get_for_user``), parse a form, call one shop service or selector, render.
``NotFound`` and ``PermissionDenied`` raised before a form is read propagate to
``DomainErrorMiddleware`` (404 / 403); a service's ``ValidationError`` (422) or
``Conflict`` (409) is shown on the form with the entered values kept, and nothing is
written. A write that succeeds redirects (POST-redirect-GET) with a message.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import Conflict, DomainError, NotFound, ValidationError
from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.shop import selectors, services
from koperasi.shop.models import Location
from koperasi.shop.navigation import shop_nav_perms

GET_POST = require_http_methods(["GET", "POST"])
REFUSED = (ValidationError, Conflict)
PAGE_SIZE = 50
MAX_ID = 2**63 - 1  # an id in a URL above this is no row (and SQLite cannot even compare it)
DUE_SOON_DAYS = 7


def shop_coop(request: HttpRequest, code: str, action: Action) -> tuple[Cooperative, frozenset[Role]]:
    return cooperative_get_for_user(user=request.user, code=code, action=action)


def shop_page(
    request: HttpRequest,
    template: str,
    coop: Cooperative,
    roles: frozenset[Role],
    active: str,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    context = {"coop": coop, "shop_perms": shop_nav_perms(roles), "active": active, **context}
    return render(request, f"shop/{template}", context, status=status)


def object_id(value: int) -> int:
    """An id taken from the URL; one no row can have is simply not found."""
    if value > MAX_ID:
        raise NotFound("Data tidak ditemukan.")
    return value


def page_of(request: HttpRequest, items: Any) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def locations(coop: Cooperative) -> list[Location]:
    """The cooperative's active locations (the default gerai and gudang are created on first use)."""
    services.locations_ensure(coop)
    return selectors.location_list(cooperative=coop)


def location_choices(places: list[Location]) -> list[tuple[int, str]]:
    return [(place.pk, place.name) for place in places]


def first_of_kind(places: list[Location], kind: str) -> int | None:
    """The id of the first location of ``kind`` (``gerai`` or ``gudang``), else of the first location."""
    found = next((place for place in places if place.kind == kind), places[0] if places else None)
    return found.pk if found else None


def add_domain_error(form: Any, error: DomainError, *, lines: Any = None) -> int:
    """Show a service's error on the form: on a line of ``lines`` (a line formset), on a field, or above.

    A detail key ``lines.<n>.<field>`` goes to the n-th filled row of ``lines``; a key naming a
    field (or a field and one more part, as ``lines.<id>.qty``) goes to that field; anything else above.
    """
    detail = error.detail if isinstance(error, ValidationError) and isinstance(error.detail, dict) else {}
    if lines is not None and detail and lines.add_line_errors(detail):
        return error.status
    placed = False
    for key, messages in detail.items():
        name = str(key) if str(key) in form.fields else str(key).rsplit(".", 1)[0]
        if name not in form.fields:
            continue
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(name, str(message))
        placed = True
    if placed:
        return error.status
    return form_add_domain_error(form, error)


def is_repeat(created_at: datetime.datetime, started: datetime.datetime) -> bool:
    """A write returned by its idempotency key was made before this request began."""
    return created_at < started


@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    """The gerai today: sales so far, goods running out, supplier bills falling due, and the way to every page."""
    coop, roles = shop_coop(request, code, Action.SHOP_VIEW)
    today = timezone.localdate()
    sales_count, sales_total = selectors.sales_total_on(cooperative=coop, date=today)
    payables = selectors.supplier_payables(cooperative=coop)
    return shop_page(
        request,
        "home.html",
        coop,
        roles,
        "home",
        today=today,
        sales_count=sales_count,
        sales_total=sales_total,
        low_stock=selectors.low_stock(cooperative=coop),
        invoices_due=list(selectors.invoice_list(cooperative=coop, open_only=True)[:10]),
        due_soon=today + datetime.timedelta(days=DUE_SOON_DAYS),
        payable_total=sum(payables.values()),
    )
