"""PDF of a statement: a Django template rendered to HTML, laid out on A4 by WeasyPrint.

The PDF template (``ledger/reports/pdf.html``) includes the same table partials as the
HTML pages, so a figure on screen and on paper come from one place. WeasyPrint may fetch
nothing from outside (no file, no network): the templates carry their CSS inline and the
fonts come from the system (DejaVu through fontconfig).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from koperasi.cooperatives.models import Cooperative

PDF_CONTENT_TYPE = "application/pdf"
PDF_TEMPLATE = "ledger/reports/pdf.html"
_CITY_PREFIXES = ("Kota ", "Kabupaten ", "Kab. ")


def place_name(cooperative: Cooperative) -> str:
    """The kota/kabupaten for the "<place>, <date>" line above the signatures (one query)."""
    kecamatan = cooperative.kelurahan.parent
    city = kecamatan.parent if kecamatan is not None else None
    name = city.name if city is not None else cooperative.kelurahan.name
    for prefix in _CITY_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def render_pdf(context: dict[str, Any], template_name: str = PDF_TEMPLATE) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF bytes."""
    html = render_to_string(template_name, context)
    fetcher = URLFetcher(allowed_protocols=("data",))
    document = HTML(string=html, url_fetcher=fetcher)
    result: bytes = document.write_pdf()
    return result
