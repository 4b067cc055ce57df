"""Printable loan documents, under ``/k/<coop-code>/pinjaman/``.

- ``loans:receipt``: the receipt (bukti) of one loan transaction (disbursement, repayment,
  payoff, write-off, recovery) as a page that prints on a 58 mm thermal printer;
  ``loans:receipt_pdf``: the same on A6.
- ``loans:schedule_pdf``: the loan's schedule (jadwal angsuran), A4; before disbursement
  the simulated schedule, marked so.
- ``loans:statement_pdf``: the loan statement (rekening koran pinjaman), A4: transactions
  with the running outstanding principal, instalments and their status, penalties, the
  payoff quote of the day.

Officers with ``LOANS_VIEW`` see every loan of the cooperative; a member logged in to the
portal sees only their own (``members.card.member_documents_scope``): another member's
loan or transaction is "not found", as is another cooperative's. A user with neither (the
Dinas) is refused (403). ``NotFound`` and ``PermissionDenied`` propagate to the middleware.
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
from koperasi.core.errors import NotFound
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.ledger.exports import kelurahan_line
from koperasi.ledger.pdf import PDF_CONTENT_TYPE, place_name, render_pdf
from koperasi.loans import selectors
from koperasi.loans.documents import receipt_build, schedule_get, statement_get
from koperasi.loans.models import Loan, LoanTransaction
from koperasi.loans.navigation import loan_nav_perms
from koperasi.members.card import member_documents_scope
from koperasi.members.models import Member
from koperasi.members.navigation import nav_perms


def _cooperative(request: HttpRequest, code: str) -> tuple[Cooperative, frozenset[Role]]:
    """Any role in the cooperative opens the door; each view then checks LOANS_VIEW or own membership."""
    return cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_VIEW)


def _scope(request: HttpRequest, coop: Cooperative, roles: frozenset[Role]) -> Member | None:
    """None for an officer who sees every loan; the user's membership for a portal member. Raises PermissionDenied."""
    return member_documents_scope(cooperative=coop, user=request.user, roles=roles, action=Action.LOANS_VIEW)


def _loan(request: HttpRequest, coop: Cooperative, roles: frozenset[Role], loan_id: int) -> Loan:
    """Return the loan the user may see. Raises PermissionDenied and NotFound."""
    own = _scope(request, coop, roles)
    loan = selectors.loan_get(cooperative=coop, loan_id=loan_id)
    if own is not None and loan.member_id != own.pk:
        raise NotFound("Pinjaman tidak ditemukan.")
    loan.cooperative = coop  # the settings in force are read through it
    return loan


def _transaction(request: HttpRequest, coop: Cooperative, roles: frozenset[Role], txn_id: int) -> LoanTransaction:
    """Return the loan transaction the user may see. Raises PermissionDenied and NotFound."""
    own = _scope(request, coop, roles)
    txn = selectors.loan_transaction_get(cooperative=coop, txn_id=txn_id)
    if own is not None and txn.loan.member_id != own.pk:
        raise NotFound("Transaksi pinjaman tidak ditemukan.")
    return txn


def _letterhead(coop: Cooperative) -> dict[str, Any]:
    now = timezone.localtime()
    return {"coop": coop, "kelurahan_line": kelurahan_line(coop), "printed_at": now, "today": timezone.localdate()}


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _receipt_context(coop: Cooperative, txn: LoanTransaction) -> dict[str, Any]:
    r = receipt_build(txn)
    return {**_letterhead(coop), "place": place_name(coop), "txn": txn, "loan": r.loan, "member": r.member, "r": r}


@login_required
@require_GET
def receipt(request: HttpRequest, code: str, txn_id: int) -> HttpResponse:
    """The receipt of one loan transaction, as a printable page."""
    coop, roles = _cooperative(request, code)
    txn = _transaction(request, coop, roles, txn_id)
    context = _receipt_context(coop, txn)
    context.update(
        nav_perms=nav_perms(roles), loan_perms=loan_nav_perms(roles), is_portal=not can(roles, Action.LOANS_VIEW)
    )
    return render(request, "loans/receipt.html", context)


@login_required
@require_GET
def receipt_pdf(request: HttpRequest, code: str, txn_id: int) -> HttpResponse:
    """The receipt of one loan transaction on A6."""
    coop, roles = _cooperative(request, code)
    txn = _transaction(request, coop, roles, txn_id)
    content = render_pdf(_receipt_context(coop, txn), "loans/receipt_pdf.html")
    return _pdf(content, f"bukti-{coop.code}-{txn.journal_entry.number}.pdf")


@login_required
@require_GET
def schedule_pdf(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """The loan's schedule on A4 (simulated before disbursement)."""
    coop, roles = _cooperative(request, code)
    loan = _loan(request, coop, roles, loan_id)
    context = _letterhead(coop)
    context.update(loan=loan, member=loan.member, schedule=schedule_get(loan=loan, today=context["today"]))
    content = render_pdf(context, "loans/schedule_pdf.html")
    return _pdf(content, f"jadwal-angsuran-{coop.code}-{loan.number}.pdf")


@login_required
@require_GET
def statement_pdf(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """The loan statement (rekening koran pinjaman) on A4, as of today."""
    coop, roles = _cooperative(request, code)
    loan = _loan(request, coop, roles, loan_id)
    context = _letterhead(coop)
    context.update(loan=loan, member=loan.member, st=statement_get(loan=loan, today=context["today"]))
    content = render_pdf(context, "loans/statement_pdf.html")
    return _pdf(content, f"rekening-pinjaman-{coop.code}-{loan.number}.pdf")
