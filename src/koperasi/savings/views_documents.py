"""Printable savings documents, under ``/k/<coop-code>/simpanan/``.

- ``savings:receipt``: the receipt (bukti transaksi) of one transaction as a page that
  prints on a 58 mm thermal printer; ``savings:receipt_pdf``: the same on A6.
- ``savings:passbook``: the passbook (buku simpanan) of one member and kind, A4 PDF,
  optionally ``?from=YYYY-MM-DD&to=YYYY-MM-DD``.

Officers with ``SAVINGS_VIEW`` see every member's; a member logged in to the portal sees
only their own (``members.card.member_documents_*``): another member's transaction or
passbook is "not found", as is another cooperative's. ``NotFound`` and
``PermissionDenied`` propagate to the middleware (404 / 403); a date that cannot be read
is answered 422 with the reason.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import NotFound, ValidationError
from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.ledger.exports import kelurahan_line
from koperasi.ledger.pdf import PDF_CONTENT_TYPE, place_name, render_pdf
from koperasi.members.card import member_documents_get, member_documents_scope
from koperasi.members.navigation import nav_perms
from koperasi.savings.choices import SavingsKind
from koperasi.savings.documents import passbook_get, receipt_build
from koperasi.savings.models import SavingsTransaction
from koperasi.savings.selectors import savings_correction_of, savings_transaction_get

MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2999, 12, 31)


def _cooperative(request: HttpRequest, code: str) -> tuple[Cooperative, frozenset[Role]]:
    """Any role in the cooperative opens the door; each view then checks SAVINGS_VIEW or own membership."""
    return cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_VIEW)


def _transaction(request: HttpRequest, coop: Cooperative, roles: frozenset[Role], txn_id: int) -> SavingsTransaction:
    """Return the transaction the user may see. Raises PermissionDenied and NotFound."""
    own = member_documents_scope(cooperative=coop, user=request.user, roles=roles, action=Action.SAVINGS_VIEW)
    txn = savings_transaction_get(cooperative=coop, txn_id=txn_id)
    if txn is None or (own is not None and txn.member_id != own.pk):
        raise NotFound("Transaksi tidak ditemukan.")
    return txn


def _letterhead(coop: Cooperative) -> dict[str, Any]:
    now = timezone.localtime()
    return {"coop": coop, "kelurahan_line": kelurahan_line(coop), "printed_at": now, "today": now.date()}


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _receipt_context(coop: Cooperative, txn: SavingsTransaction) -> dict[str, Any]:
    return {**_letterhead(coop), "place": place_name(coop), "txn": txn, "member": txn.member, "r": receipt_build(txn)}


@login_required
@require_GET
def receipt(request: HttpRequest, code: str, txn_id: int) -> HttpResponse:
    """The receipt of one transaction, as a printable page."""
    coop, roles = _cooperative(request, code)
    txn = _transaction(request, coop, roles, txn_id)
    context = _receipt_context(coop, txn)
    context.update(
        nav_perms=nav_perms(roles),
        is_portal=not nav_perms(roles)["savings"],
        correction=savings_correction_of(cooperative=coop, txn=txn),
    )
    return render(request, "savings/receipt.html", context)


@login_required
@require_GET
def receipt_pdf(request: HttpRequest, code: str, txn_id: int) -> HttpResponse:
    """The receipt of one transaction on A6."""
    coop, roles = _cooperative(request, code)
    txn = _transaction(request, coop, roles, txn_id)
    content = render_pdf(_receipt_context(coop, txn), "savings/receipt_pdf.html")
    return _pdf(content, f"bukti-{coop.code}-{txn.journal_entry.number}.pdf")


def _date(request: HttpRequest, name: str) -> datetime.date | None:
    """Read ``?name=YYYY-MM-DD`` (empty: None). Raises ValidationError."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        value = datetime.datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise ValidationError.for_field(
            name, _("Tanggal tidak valid: '%(value)s'. Gunakan format TTTT-BB-HH.") % {"value": raw[:20]}
        ) from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValidationError.for_field(name, _("Tanggal harus antara tahun 1900 dan 2999."))
    return value


@login_required
@require_GET
def passbook(request: HttpRequest, code: str, member_id: int, kind: str) -> HttpResponse:
    """The passbook of one member and kind, A4 PDF."""
    if kind not in SavingsKind.values:
        raise NotFound("Jenis simpanan tidak dikenal.")
    coop, roles = _cooperative(request, code)
    member = member_documents_get(
        cooperative=coop, user=request.user, roles=roles, member_id=member_id, action=Action.SAVINGS_VIEW
    )
    try:
        date_from, date_to = _date(request, "from"), _date(request, "to")
        if date_from and date_to and date_from > date_to:
            raise ValidationError.for_field("from", _("Tanggal awal tidak boleh setelah tanggal akhir."))
    except ValidationError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    book = passbook_get(cooperative=coop, member=member, kind=kind, date_from=date_from, date_to=date_to)
    content = render_pdf({**_letterhead(coop), "member": member, "book": book}, "savings/passbook_pdf.html")
    return _pdf(content, f"buku-simpanan-{kind}-{coop.code}-{member.number}.pdf")
