"""Pages of the programmes: the list with this month's figures, a new programme, one programme
(rules, allocations per month, ending it, "Cek kuota" for a NIK, the latest distributions)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from koperasi.cooperatives.models import Cooperative
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.members.identity import nik_mask
from koperasi.shop import selectors as shop_selectors
from koperasi.shop.models import Product
from koperasi.subsidies import selectors, services
from koperasi.subsidies.choices import RecipientCategory
from koperasi.subsidies.defaults import program_defaults
from koperasi.subsidies.forms import AllocationForm, ProgramEndForm, ProgramForm, QuotaCheckForm, rule_field
from koperasi.subsidies.models import SubsidyProgram
from koperasi.subsidies.views import (
    GET_POST,
    REFUSED,
    add_domain_error,
    object_id,
    subsidy_coop,
    subsidy_page,
)

LATEST_DISTRIBUTIONS = 20


def _program(coop: Cooperative, program_id: int | str) -> SubsidyProgram:
    return selectors.program_get(cooperative=coop, program_id=object_id(program_id))


def _detail_url(coop: Cooperative, program: SubsidyProgram) -> str:
    return reverse("subsidies:program_detail", args=[coop.code, program.pk])


def _rules_described(program: SubsidyProgram) -> list[str]:
    return [rule.describe(program.product.unit) for rule in selectors.program_rules(program)]


def _category_labels(codes: list[str]) -> list[str]:
    return [str(RecipientCategory(code).label) for code in codes]


@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    """The programmes: product, partner, price, validity, in force today, this month distributed/allocation, rules."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_VIEW)
    today = timezone.localdate()
    programs = list(selectors.program_list(cooperative=coop))
    distributed, allocations = selectors.month_figures(cooperative=coop, month=today)
    rows = [
        {
            "program": p,
            "in_force": selectors.in_force(p, today),
            "rules": _rules_described(p),
            "distributed": distributed.get(p.pk, 0),
            "allocation": allocations.get(p.pk, p.monthly_allocation),
        }
        for p in programs
    ]
    return subsidy_page(request, "home.html", coop, roles, "programs", rows=rows, today=today)


# --- a new programme ----------------------------------------------------------------------
def _products(coop: Cooperative) -> list[Product]:
    return list(shop_selectors.product_list(cooperative=coop, active_only=True))


def _initial(coop: Cooperative, product: Product | None, today: datetime.date) -> dict[str, Any]:
    """Today, registration required, rumah tangga; with a product, its HET commodity's defaults and price."""
    initial: dict[str, Any] = {"valid_from": today, "registration_required": True, "categories": ["rumah_tangga"]}
    if product is None:
        return initial
    het_limit = shop_selectors.product_het_limit(cooperative=coop, product=product, date=today)
    initial.update(product=product.pk, price=het_limit if het_limit is not None else product.price)
    defaults = program_defaults(product.het_commodity) if product.het_commodity else None
    if defaults is not None:
        initial.update(
            name=defaults.name,
            partner=defaults.partner,
            categories=list(defaults.categories),
            monthly_allocation=defaults.monthly_allocation or None,
        )
        for row, rule in enumerate(defaults.rules, start=1):
            initial.update(
                {
                    rule_field(row, "per"): rule.per,
                    rule_field(row, "period"): rule.period,
                    rule_field(row, "max_qty"): rule.max_qty,
                    rule_field(row, "max_purchases"): rule.max_purchases,
                }
            )
    return initial


def _chosen(products: list[Product], value: str | None) -> Product | None:
    """The product ``?product=<id>`` names, if it is one of the choices (anything else is ignored)."""
    text = (value or "").strip()
    if not text.isdigit() or len(text) > 19:
        return None
    return next((p for p in products if p.pk == int(text)), None)


@login_required
@GET_POST
def program_new(request: HttpRequest, code: str) -> HttpResponse:
    """Start a programme; ``?product=<id>`` fills the form from the product's HET commodity (domain.md §11)."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_PROGRAMS)
    products = _products(coop)
    choices = [(p.pk, f"{p.name} ({p.sku})") for p in products]
    today = timezone.localdate()
    chosen = _chosen(products, request.GET.get("product"))
    status = 200
    if request.method == "POST":
        form = ProgramForm(request.POST, products=choices)
        status = 422
        if form.is_valid():
            try:
                program = services.program_create(cooperative=coop, data=form.program_input(), actor=request.user)
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Program %(name)s dimulai %(date)s dengan harga %(price)s.")
                    % {
                        "name": program.name,
                        "date": program.valid_from.strftime("%d/%m/%Y"),
                        "price": format_rupiah(program.price),
                    },
                )
                return redirect(_detail_url(coop, program))
    else:
        form = ProgramForm(initial=_initial(coop, chosen, today), products=choices)
    return subsidy_page(
        request, "program_form.html", coop, roles, "programs", status, form=form, products=choices, chosen=chosen
    )


# --- one programme ------------------------------------------------------------------------
def _detail(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    program: SubsidyProgram,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    today = timezone.localdate()
    manage = can(roles, Action.SUBSIDY_PROGRAMS)
    quota_form = forms.get("quota_form") or QuotaCheckForm(today=today)
    usage = None
    if quota_form.is_bound and quota_form.is_valid():
        usage = selectors.program_usage(
            cooperative=coop, program=program, nik=quota_form.cleaned_data["nik"], day=today
        )
    unit = program.product.unit
    ended = program.valid_to is not None and program.valid_to < today
    latest = selectors.distribution_list(cooperative=coop, program=program).order_by("-date", "-recorded_at", "-id")
    return subsidy_page(
        request,
        "program_detail.html",
        coop,
        roles,
        "programs",
        status,
        program=program,
        today=today,
        in_force=selectors.in_force(program, today),
        ended=ended,
        rules=_rules_described(program),
        categories=_category_labels(program.categories),
        months=selectors.program_months(cooperative=coop, program=program, today=today),
        allocation_form=forms.get("allocation_form")
        or (AllocationForm(initial={"month": f"{today:%Y-%m}"}) if manage else None),
        end_form=forms.get("end_form")
        or (ProgramEndForm(initial={"valid_to": today}) if manage and not ended else None),
        quota_form=quota_form,
        usage=usage,
        usage_rules=[(u, u.rule.describe(unit)) for u in usage.rules] if usage else [],
        usage_nik=nik_mask(usage.nik) if usage else "",
        distributions=list(latest[:LATEST_DISTRIBUTIONS]),
    )


@login_required
@require_GET
def program_detail(request: HttpRequest, code: str, program_id: int) -> HttpResponse:
    """A programme: rules, categories, validity, allocations per month, "Cek kuota", latest sales."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_VIEW)
    return _detail(request, coop, roles, _program(coop, program_id))


@login_required
@require_POST
def program_quota(request: HttpRequest, code: str, program_id: int) -> HttpResponse:
    """Cek kuota: what a NIK may still buy today, rule by rule (POST: a NIK stays out of URLs and logs)."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_VIEW)
    program = _program(coop, program_id)
    form = QuotaCheckForm(request.POST, today=timezone.localdate())
    return _detail(request, coop, roles, program, 200 if form.is_valid() else 422, quota_form=form)


@login_required
@require_POST
def program_allocation(request: HttpRequest, code: str, program_id: int) -> HttpResponse:
    """Record the partner's allocation for one month (replacing an earlier figure)."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_PROGRAMS)
    program = _program(coop, program_id)
    form = AllocationForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            allocation = services.allocation_set(
                cooperative=coop,
                program=program,
                month=data["month"],
                qty=data["qty"],
                reference=data["reference"],
                actor=request.user,
            )
        except REFUSED as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Alokasi %(month)s: %(qty)s %(unit)s.")
                % {"month": allocation.month.strftime("%m/%Y"), "qty": allocation.qty, "unit": program.product.unit},
            )
            return redirect(_detail_url(coop, program) + "#alokasi")
    return _detail(request, coop, roles, program, status, allocation_form=form)


@login_required
@require_POST
def program_end(request: HttpRequest, code: str, program_id: int) -> HttpResponse:
    """End the programme on a day (its last); a new one may start the day after."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_PROGRAMS)
    program = _program(coop, program_id)
    form = ProgramEndForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            program = services.program_end(
                cooperative=coop,
                program=program,
                valid_to=form.cleaned_data["valid_to"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except REFUSED as exc:
            status = add_domain_error(form, exc)
        else:
            assert program.valid_to is not None
            messages.success(
                request,
                _("Program %(name)s berakhir pada %(date)s.")
                % {"name": program.name, "date": program.valid_to.strftime("%d/%m/%Y")},
            )
            return redirect(_detail_url(coop, program))
    return _detail(request, coop, roles, program, status, end_form=form)
