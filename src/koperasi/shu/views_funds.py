"""The SHU funds page (dana pendidikan, sosial, pengurus…): balances and spends, under ``/k/<coop-code>/shu/dana/``.

Reading needs ``SHU_VIEW``: every fund the approved distributions credited, by SHU year,
what was used and what is left, and the newest spends with their journal entries. Spending
needs ``SHU_FUND_SPEND`` (the bendahara): the form posts ``services.shu_fund_spend`` (Dr dana
SHU 2-1400, Cr kas or bank) once per rendered form (its idempotency key). A refusal
(``ValidationError`` 422, ``Conflict`` 409: not enough left, a closed period) is shown on
the form with the values kept and nothing written; a spend redirects back with a message
naming its journal entry. ``NotFound`` and ``PermissionDenied`` propagate to the middleware.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.access import require
from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.loans.forms import new_key
from koperasi.shu import calculations, selectors, services
from koperasi.shu.choices import SpendChannel
from koperasi.shu.forms import FundSpendForm
from koperasi.shu.navigation import shu_nav_perms
from koperasi.shu.selectors import FundBalance

SPENDS_SHOWN = 100  # newest spends listed on the page


def _fund_choices(funds: list[FundBalance]) -> list[tuple[str, str]]:
    """The funds that still hold money, for the form's select: ``Dana pendidikan (sisa Rp 56.000)``."""
    return [
        (f.key, _("%(name)s (sisa %(balance)s)") % {"name": f.name, "balance": format_rupiah(f.balance)})
        for f in funds
        if f.balance > 0
    ]


def _new_form(funds: list[FundBalance]) -> FundSpendForm:
    initial = {"date": timezone.localdate(), "channel": SpendChannel.CASH, "idempotency_key": new_key()}
    return FundSpendForm(initial=initial, funds=_fund_choices(funds))


def _funds_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    funds: list[FundBalance],
    form: FundSpendForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if form is None and can(roles, Action.SHU_FUND_SPEND):
        form = _new_form(funds)
    names = {f.key: f.name for f in funds}
    spends = [
        (spend, names.get(spend.fund) or calculations.fund_name(spend.fund))
        for spend in selectors.fund_spends(cooperative=coop)[:SPENDS_SHOWN]
    ]
    context: dict[str, Any] = {
        "coop": coop,
        "shu_perms": shu_nav_perms(roles),
        "active": "funds",
        "funds": funds,
        "totals": {
            "credited": sum(f.credited for f in funds),
            "spent": sum(f.spent for f in funds),
            "balance": sum(f.balance for f in funds),
        },
        "has_balance": any(f.balance > 0 for f in funds),
        "form": form,
        "spends": spends,
        "spends_shown": SPENDS_SHOWN,
        "can_view_ledger": can(roles, Action.LEDGER_VIEW),
    }
    return render(request, "shu/funds.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def funds(request: HttpRequest, code: str) -> HttpResponse:
    """Show each SHU fund's balance and spends; record a spend from one (bendahara)."""
    coop, roles = cooperative_get_for_user(user=request.user, code=code, action=Action.SHU_VIEW)
    if request.method != "POST":
        return _funds_page(request, coop, roles, selectors.fund_balances(cooperative=coop))
    require(roles, Action.SHU_FUND_SPEND)
    balances = selectors.fund_balances(cooperative=coop)
    form = FundSpendForm(request.POST, funds=_fund_choices(balances))
    if not form.is_valid():
        return _funds_page(request, coop, roles, balances, form, 422)
    data = form.cleaned_data
    started = timezone.now()
    try:
        spend = services.shu_fund_spend(
            cooperative=coop,
            fund=data["fund"],
            amount=data["amount"],
            date=data["date"],
            channel=data["channel"],
            purpose=data["purpose"],
            recipient=data["recipient"],
            actor=request.user,
            idempotency_key=data["idempotency_key"] or None,
        )
    except (ValidationError, Conflict) as exc:
        status = form_add_domain_error(form, exc)
        return _funds_page(request, coop, roles, balances, form, status)
    number = spend.journal_entry.number
    if spend.created_at < started:
        messages.info(
            request,
            _("Penggunaan dana ini sudah tercatat (jurnal %(number)s); kiriman ganda diabaikan.") % {"number": number},
        )
    else:
        messages.success(
            request,
            _("Penggunaan %(fund)s %(amount)s untuk %(purpose)s dicatat dengan jurnal %(number)s.")
            % {
                "fund": calculations.fund_name(spend.fund),
                "amount": format_rupiah(spend.amount),
                "purpose": spend.purpose,
                "number": number,
            },
        )
    return redirect("shu:funds", coop.code)
