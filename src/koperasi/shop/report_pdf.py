"""PDF of a gerai report: the report's sections rendered by a template, laid out on A4 by WeasyPrint.

The sections are the same ones the page and the Excel workbook show (``shop.exports``),
so a figure on screen, on paper and in Excel comes from one place. Rendering goes through
``ledger.pdf.render_pdf``: nothing is fetched from outside, fonts come from the system.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.tables import display
from koperasi.ledger.exports import kelurahan_line
from koperasi.ledger.pdf import PDF_CONTENT_TYPE, place_name, render_pdf
from koperasi.shop import exports, reports

PDF_TEMPLATE = "shop/report_pdf.html"
LANDSCAPE_COLUMNS = 8  # wider tables go landscape

__all__ = ["PDF_CONTENT_TYPE", "report_pdf"]


def report_pdf(*, cooperative: Cooperative, name: str, result: Any, period_label: str) -> bytes:
    """Return the PDF of report ``name`` (a slug of ``reports.REPORTS``) for its result."""
    spec = reports.REPORTS[name]
    sections = exports.report_sections(name, result)
    now = timezone.localtime()
    context: dict[str, Any] = {
        "coop": cooperative,
        "title": spec.title,
        "period_label": period_label,
        "sections": [display(section) for section in sections],
        "kelurahan_line": kelurahan_line(cooperative),
        "place": place_name(cooperative),
        "printed_at": now,
        "today": now.date(),
        "landscape": any(len(section.columns) > LANDSCAPE_COLUMNS for section in sections),
    }
    return render_pdf(context, PDF_TEMPLATE)
