"""The member's own portal, under ``/k/<coop-code>/saya/`` (DESIGN.md §5).

A user with the role anggota whose login is linked to a member of the cooperative
(``members.selectors.member_for_user``) sees that member's data and nothing else: status
and dates, savings balances, transactions with their receipts, wajib bills, and links to
the member card and passbooks (those views let a member print only their own).

Anyone else gets "not found" (404), not "forbidden": an officer who is not a member, an
anggota whose login is not linked, a user of another cooperative. The portal exists only
for a member, and answering 404 does not tell who is a member.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import NotFound, PermissionDenied
from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.members.models import Member
from koperasi.members.navigation import nav_perms
from koperasi.members.selectors import member_for_user
from koperasi.savings.choices import SavingsKind
from koperasi.savings.selectors import savings_balances, savings_transactions, wajib_summary

PAGE_SIZE = 20  # transactions per page
HOME_BILLS = 6  # newest wajib bills on the home page; the bills page has all


class KindFilterForm(forms.Form):
    """Which kind of savings the transaction list shows (empty: every kind)."""

    kind = forms.ChoiceField(
        label=_("Jenis simpanan"),
        required=False,
        choices=[("", _("Semua jenis")), *SavingsKind.choices],
        error_messages={"invalid_choice": _("Pilih pokok, wajib atau sukarela.")},
    )


def _portal_member(request: HttpRequest, code: str) -> tuple[Cooperative, frozenset[Role], Member]:
    """Return the cooperative, the user's roles and their membership. Raises NotFound."""
    try:
        coop, roles = cooperative_get_for_user(user=request.user, code=code, action=Action.PORTAL_VIEW)
    except PermissionDenied:
        raise NotFound("Halaman ini hanya untuk anggota koperasi.") from None
    member = member_for_user(cooperative=coop, user=request.user)
    if member is None:
        raise NotFound("Akun Anda belum terhubung dengan data anggota koperasi ini.")
    return coop, roles, member


def _context(coop: Cooperative, roles: frozenset[Role], member: Member, active: str) -> dict[str, Any]:
    return {
        "coop": coop,
        "member": member,
        "nav_perms": nav_perms(roles),
        "active": active,
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    """The member's page: who they are, balances, wajib bills, and their transactions, newest first."""
    coop, roles, member = _portal_member(request, code)
    filter_form = KindFilterForm(request.GET)
    kind = filter_form.cleaned_data["kind"] if filter_form.is_valid() else ""
    transactions = savings_transactions(cooperative=coop, member=member, kind=kind).reverse()
    page = Paginator(transactions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(coop, roles, member, "portal")
    bills = wajib_summary(cooperative=coop, member=member, today=context["today"])
    balances = savings_balances(cooperative=coop, member=member)
    return render(
        request,
        "savings/portal_home.html",
        {
            **context,
            "accounts": [(value, label, balances[value]) for value, label in SavingsKind.choices],
            "balances": balances,
            "bills": bills,
            "home_bills": bills.bills[:HOME_BILLS],
            "filter_form": filter_form,
            "kind": kind,
            "page": page,
        },
    )


@login_required
@require_GET
def bills(request: HttpRequest, code: str) -> HttpResponse:
    """Every wajib bill of the member, newest first, paid or not, with the unpaid total."""
    coop, roles, member = _portal_member(request, code)
    context = _context(coop, roles, member, "portal_bills")
    context["bills"] = wajib_summary(cooperative=coop, member=member, today=context["today"])
    return render(request, "savings/portal_bills.html", context)
