"""The member's own loans in the portal, under ``/k/<coop-code>/saya/pinjaman/`` (DESIGN.md §5).

A user with the role anggota whose login is linked to a member of the cooperative
(``members.selectors.member_for_user``) sees that member's loans and nothing else: each
loan's status, outstanding principal, next instalment and days past due; a loan's
schedule with what is paid, its transactions with their receipts, the payoff quote of
the day, and links to the schedule and statement PDFs (``views_documents`` lets a
member print only their own).

Anyone else gets "not found" (404), as in the savings portal: an officer who is not a
member, an anggota whose login is not linked, a user of another cooperative; another
member's loan is "not found" too.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import NotFound, PermissionDenied
from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.loans import selectors
from koperasi.loans.choices import LoanStatus
from koperasi.loans.documents import member_loan_summaries, schedule_get
from koperasi.members.models import Member
from koperasi.members.navigation import nav_perms
from koperasi.members.selectors import member_for_user


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


def _context(coop: Cooperative, roles: frozenset[Role], member: Member) -> dict[str, Any]:
    return {
        "coop": coop,
        "member": member,
        "nav_perms": nav_perms(roles),
        "active": "portal_loans",
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def loan_list(request: HttpRequest, code: str) -> HttpResponse:
    """The member's loans, newest first: status, outstanding, next instalment, days past due."""
    coop, roles, member = _portal_member(request, code)
    context = _context(coop, roles, member)
    summaries = member_loan_summaries(cooperative=coop, member=member, day=context["today"])
    active = [s for s in summaries if s.loan.status == LoanStatus.ACTIVE]
    context.update(
        summaries=summaries,
        outstanding=sum(s.loan.outstanding_principal for s in active),
        due_now=sum(s.due_now for s in active),
    )
    return render(request, "loans/portal_list.html", context)


@login_required
@require_GET
def loan_detail(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """One of the member's loans: terms, where it stands today, the schedule and the transactions."""
    coop, roles, member = _portal_member(request, code)
    loan = selectors.loan_get(cooperative=coop, loan_id=loan_id)
    if loan.member_id != member.pk:
        raise NotFound("Pinjaman tidak ditemukan.")
    loan.cooperative = coop  # the settings in force are read through it
    context = _context(coop, roles, member)
    today = context["today"]
    rows = selectors.loan_installments(loan=loan) if loan.disbursed_on else []
    active = loan.status == LoanStatus.ACTIVE
    context.update(
        loan=loan,
        schedule=schedule_get(loan=loan, today=today, rows=rows),
        position=selectors.loan_position(loan=loan, day=today, rows=rows) if active else None,
        transactions=list(selectors.loan_transactions(loan=loan).order_by("date", "pk")),
    )
    return render(request, "loans/portal_detail.html", context)
