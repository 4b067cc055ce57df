"""The receipt (struk) of a gerai sale: what it shows, and its PDF on a 58 mm roll.

- ``receipt_build``: the figures and texts of a sale's receipt (the sale comes with its
  lines, products, member and cashier fetched by ``selectors.sale_get``; the subsidy
  logbook rows of its subsidised lines are read in one more query unless prefetched).
- ``receipt_pdf``: the receipt as a PDF page 58 mm wide, as long as the receipt: the page
  height is estimated from the number of lines, and the page made longer if WeasyPrint
  still needs a second page, so a receipt is always one strip of paper.

The HTML page (``shop:receipt``) and the PDF include the same template body
(``shop/receipt_pdf.html#body``), so the screen, the thermal printer and the PDF agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from koperasi.core.money import Rupiah
from koperasi.shop.choices import PaymentMethod, SaleStatus
from koperasi.shop.models import Sale
from koperasi.subsidies.models import Distribution

RECEIPT_WIDTH_MM = 58
_BASE_HEIGHT_MM = 95  # letterhead, sale fields, totals, thank-you and margins
_LINE_HEIGHT_MM = 9  # a product name and its "qty × price = total" row
_MAX_PASSES = 4


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    qty: int
    unit: str
    unit_price: Rupiah
    total: Rupiah
    returned: int  # units returned or voided since
    program: str = ""  # the subsidy programme of a subsidised line
    nik_masked: str = ""  # the buyer's NIK it was recorded under, masked
    partner_reference: str = ""  # the partner's transaction (MAP) reference


@dataclass(frozen=True)
class SaleReceipt:
    """What a sale's receipt prints besides the cooperative's letterhead."""

    sale: Sale
    number: str  # NT-000012
    moment: datetime.datetime  # when it was recorded, local time
    cashier: str
    buyer: str  # "00012 Budi Santoso", "Umum" or "Umum · Siti"
    member_no: str  # "" for a non-member
    buyer_name: str
    lines: list[ReceiptLine]
    total: Rupiah
    paid: Rupiah  # cash received, or the total for QRIS and transfer
    change: Rupiah
    method: str  # "Tunai", "QRIS", "Transfer bank"
    reference: str
    returned: Rupiah  # approved returns and voids
    voided: bool

    @property
    def item_count(self) -> int:
        return sum(line.qty for line in self.lines)


def person_name(user: Any) -> str:
    """The full name of a user, else their username; "" for nobody."""
    if user is None:
        return ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return str(full or getattr(user, "username", ""))


def buyer_text(sale: Sale) -> str:
    """``00012 Budi Santoso`` for a member, ``Umum`` (with the name typed, if any) otherwise."""
    if sale.member_id is not None and sale.member is not None:
        return f"{sale.member.number} {sale.member.name}"
    return "Umum" + (f" · {sale.buyer_name}" if sale.buyer_name else "")


def receipt_build(sale: Sale) -> SaleReceipt:
    """Return the receipt of a sale fetched with ``selectors.sale_get`` (one query for its subsidy rows)."""
    prefetch_related_objects([sale], Prefetch("distributions", queryset=Distribution.objects.select_related("program")))
    subsidised = {row.sale_line_id: row for row in sale.distributions.all()}
    lines = []
    for line in sale.lines.all():
        row = subsidised.get(line.pk)
        lines.append(
            ReceiptLine(
                name=line.product.name,
                qty=line.qty,
                unit=line.product.unit,
                unit_price=line.unit_price,
                total=line.line_total,
                returned=line.qty_returned,
                program=row.program.name if row else "",
                nik_masked=row.nik_masked if row else "",
                partner_reference=row.partner_reference if row else "",
            )
        )
    cash = sale.payment_method == PaymentMethod.TUNAI
    return SaleReceipt(
        sale=sale,
        number=sale.sale_no,
        moment=timezone.localtime(sale.created_at),
        cashier=person_name(sale.created_by),
        buyer=buyer_text(sale),
        member_no=sale.member.number if sale.member is not None else "",
        buyer_name=sale.member.name if sale.member is not None else sale.buyer_name,
        lines=lines,
        total=sale.total,
        paid=sale.cash_received if cash and sale.cash_received is not None else sale.total,
        change=sale.change,
        method=str(PaymentMethod(sale.payment_method).label),
        reference=sale.payment_reference,
        returned=sale.total_returned,
        voided=sale.status == SaleStatus.VOIDED,
    )


def receipt_height_mm(receipt: SaleReceipt) -> int:
    """A first guess of the paper length the receipt needs."""
    extra = 8 if receipt.reference else 0
    extra += 8 if receipt.returned else 0
    extra += 12 * sum(1 for line in receipt.lines if line.program)  # programme, NIK and reference
    return _BASE_HEIGHT_MM + _LINE_HEIGHT_MM * len(receipt.lines) + extra


def receipt_pdf(context: dict[str, Any], template_name: str = "shop/receipt_pdf.html") -> bytes:
    """Render the receipt on one page 58 mm wide (lengthened until it fits) and return the PDF bytes.

    ``context`` holds ``receipt`` (a ``SaleReceipt``) and the letterhead; WeasyPrint may
    fetch nothing from outside (the template carries its CSS; fonts are the system's).
    """
    receipt: SaleReceipt = context["receipt"]
    height = receipt_height_mm(receipt)
    fetcher = URLFetcher(allowed_protocols=("data",))
    for _ in range(_MAX_PASSES):
        html = render_to_string(template_name, {**context, "page_width_mm": RECEIPT_WIDTH_MM, "page_height_mm": height})
        document = HTML(string=html, url_fetcher=fetcher).render()
        if len(document.pages) <= 1:
            break
        height = height * len(document.pages)
    content: bytes = document.write_pdf()
    return content
