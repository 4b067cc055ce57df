"""Pages of the financial statements (laporan keuangan), each also as PDF and Excel.

Each view: fetch the cooperative with the user's roles and check ``LEDGER_VIEW``
(``NotFound`` / ``PermissionDenied`` propagate to the middleware: 404 / 403), parse the
dates of the query string, call one statement selector and render the page, or with
``?format=pdf`` / ``?format=xlsx`` the same statement as a file. A date that cannot be
read, or a range the selector refuses, re-renders the page with the message and 422.
Every figure comes from ``ledger.selectors``; the sums done here only lay it out.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import NotFound, ValidationError
from koperasi.core.permissions import Action, can
from koperasi.ledger import exports, selectors
from koperasi.ledger.models import Account
from koperasi.ledger.pdf import PDF_CONTENT_TYPE, place_name, render_pdf

MIN_DATE = datetime.date(1900, 1, 1)
MAX_DATE = datetime.date(2999, 12, 31)
LEDGER_PAGE_SIZE = 200
EXPORT_BATCH = 1000  # the general ledger selector's largest page
XLSX_MAX_LINES = 20_000
PDF_MAX_LINES = 1_000  # WeasyPrint lays out about 250 rows a second
TABLES = "ledger/reports/_tables.html"


@dataclass(frozen=True)
class Report:
    slug: str  # file name prefix and partial name
    url_name: str
    title: Promise
    description: Promise
    ranged: bool  # ?from=&to= (else ?as_of=)


TRIAL_BALANCE = Report(
    "neraca-saldo",
    "trial_balance",
    gettext_lazy("Neraca saldo"),
    gettext_lazy("Saldo setiap akun pada satu tanggal, di sisi debit atau kredit."),
    ranged=False,
)
BALANCE_SHEET = Report(
    "neraca",
    "balance_sheet",
    gettext_lazy("Neraca"),
    gettext_lazy("Aset, kewajiban dan ekuitas pada satu tanggal, dibandingkan dengan akhir tahun lalu."),
    ranged=False,
)
INCOME_STATEMENT = Report(
    "hasil-usaha",
    "income_statement",
    gettext_lazy("Perhitungan hasil usaha"),
    gettext_lazy("Pendapatan (anggota dan bukan anggota) dan beban per unit usaha, sampai sisa hasil usaha."),
    ranged=True,
)
CASH_FLOW = Report(
    "arus-kas",
    "cash_flow",
    gettext_lazy("Laporan arus kas"),
    gettext_lazy("Kas masuk dan keluar dari aktivitas operasi, investasi dan pendanaan."),
    ranged=True,
)
EQUITY_CHANGES = Report(
    "perubahan-ekuitas",
    "equity_changes",
    gettext_lazy("Laporan perubahan ekuitas"),
    gettext_lazy("Saldo awal, penambahan, pengurangan dan saldo akhir setiap akun ekuitas."),
    ranged=True,
)
GENERAL_LEDGER = Report(
    "buku-besar",
    "general_ledger",
    gettext_lazy("Buku besar"),
    gettext_lazy("Semua transaksi satu akun dengan saldo berjalan."),
    ranged=True,
)
REPORTS = (TRIAL_BALANCE, BALANCE_SHEET, INCOME_STATEMENT, CASH_FLOW, EQUITY_CHANGES, GENERAL_LEDGER)


# --- helpers ------------------------------------------------------------------------------
def _cooperative(request: HttpRequest, code: str) -> Cooperative:
    """Fetch the cooperative for a reader of the books; remember what else the user may do there."""
    coop, roles = cooperative_get_for_user(user=request.user, code=code, action=Action.LEDGER_VIEW)
    request.ledger_perms = {"can_import": can(roles, Action.OPENING_BALANCE_IMPORT)}  # type: ignore[attr-defined]
    return coop


def _long_date(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def _parse_date(request: HttpRequest, name: str, default: datetime.date) -> datetime.date:
    """Read ``?name=YYYY-MM-DD``; empty means ``default``. Raises ValidationError."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
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


@dataclass(frozen=True)
class Dates:
    as_of: datetime.date
    date_from: datetime.date
    date_to: datetime.date


def _dates(request: HttpRequest, report: Report) -> Dates:
    today = timezone.localdate()
    if not report.ranged:
        as_of = _parse_date(request, "as_of", today)
        return Dates(as_of, as_of, as_of)
    date_to = _parse_date(request, "to", today)
    date_from = _parse_date(request, "from", datetime.date(date_to.year, 1, 1))
    if date_from > date_to:
        raise ValidationError.for_field("from", _("Tanggal awal tidak boleh setelah tanggal akhir."))
    return Dates(date_to, date_from, date_to)


def _params(request: HttpRequest, report: Report, dates: Dates | None) -> dict[str, str]:
    """The filter form's values: what was read, or on an error what the user typed."""
    if dates is None:
        keys = ("from", "to") if report.ranged else ("as_of",)
        return {key: request.GET.get(key, "").strip()[:20] for key in keys}
    if report.ranged:
        return {"from": dates.date_from.isoformat(), "to": dates.date_to.isoformat()}
    return {"as_of": dates.as_of.isoformat()}


def _period_label(report: Report, dates: Dates) -> str:
    if report.ranged:
        return _("Periode %(start)s s.d. %(end)s") % {
            "start": _long_date(dates.date_from),
            "end": _long_date(dates.date_to),
        }
    return _("Per %(date)s") % {"date": _long_date(dates.as_of)}


def _file_name(report: Report, coop: Cooperative, dates: Dates, extension: str, prefix: str = "") -> str:
    period = f"{dates.date_from.isoformat()}_{dates.date_to.isoformat()}" if report.ranged else dates.as_of.isoformat()
    return f"{prefix or report.slug}-{coop.code}-{period}.{extension}"


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _url_with(request: HttpRequest, **changes: str) -> str:
    params = {key: value for key, value in request.GET.items() if key != "page"}
    params.update(changes)
    params = {key: value for key, value in params.items() if value}
    return request.path + (f"?{urlencode(params)}" if params else "")


def _optional_url(name: str, code: str) -> str | None:
    """A link to a page of another part of the books, if that page exists yet."""
    try:
        return reverse(name, args=[code])
    except NoReverseMatch:
        return None


def _base_context(request: HttpRequest, coop: Cooperative, report: Report) -> dict[str, Any]:
    return {
        "coop": coop,
        "ledger_perms": getattr(request, "ledger_perms", {}),
        "report": report,
        "title": report.title,
        "table_template": f"{TABLES}#{report.slug}",
        "pdf_url": _url_with(request, format="pdf"),
        "xlsx_url": _url_with(request, format="xlsx"),
    }


def _page(
    request: HttpRequest, context: dict[str, Any], status: int = 200, template: str = "statement"
) -> HttpResponse:
    return render(request, f"ledger/reports/{template}.html", context, status=status)


def _pdf(coop: Cooperative, context: dict[str, Any], filename: str, *, landscape: bool = False) -> HttpResponse:
    now = timezone.localtime()
    content = render_pdf(
        {
            **context,
            "kelurahan_line": exports.kelurahan_line(coop),
            "place": place_name(coop),
            "printed_at": now,
            "today": now.date(),
            "landscape": landscape,
            "for_pdf": True,
        }
    )
    return _download(content, PDF_CONTENT_TYPE, filename)


def _xlsx(coop: Cooperative, context: dict[str, Any], table: exports.Table, filename: str) -> HttpResponse:
    content = exports.workbook_bytes(
        cooperative=coop, title=str(context["title"]), period_label=context["period_label"], table=table
    )
    return _download(content, exports.XLSX_CONTENT_TYPE, filename)


def _statement(
    request: HttpRequest,
    code: str,
    report: Report,
    load: Callable[[Cooperative, Dates], dict[str, Any]],
    table: Callable[[dict[str, Any]], exports.Table],
    *,
    landscape: Callable[[dict[str, Any]], bool] = lambda data: False,
) -> HttpResponse:
    """Parse the dates, load the statement, and answer as page, PDF or Excel."""
    coop = _cooperative(request, code)
    context = _base_context(request, coop, report)
    try:
        dates = _dates(request, report)
        data = load(coop, dates)
    except ValidationError as exc:
        context.update(error=exc.message, params=_params(request, report, None))
        return _page(request, context, status=exc.status)
    context.update(data, params=_params(request, report, dates), period_label=_period_label(report, dates))
    output = request.GET.get("format", "")
    if output == "pdf":
        return _pdf(coop, context, _file_name(report, coop, dates, "pdf"), landscape=landscape(data))
    if output == "xlsx":
        return _xlsx(coop, context, table(data), _file_name(report, coop, dates, "xlsx"))
    return _page(request, context)


# --- pages --------------------------------------------------------------------------------
@login_required
@require_GET
def reports_index(request: HttpRequest, code: str) -> HttpResponse:
    coop = _cooperative(request, code)
    return render(
        request,
        "ledger/reports/index.html",
        {
            "coop": coop,
            "ledger_perms": getattr(request, "ledger_perms", {}),
            "reports": REPORTS,
            "journal_url": _optional_url("ledger:journal", coop.code),
            "accounts_url": _optional_url("ledger:accounts", coop.code),
        },
    )


@login_required
@require_GET
def trial_balance(request: HttpRequest, code: str) -> HttpResponse:
    def load(coop: Cooperative, dates: Dates) -> dict[str, Any]:
        return {"tb": selectors.trial_balance(cooperative=coop, as_of=dates.as_of)}

    return _statement(request, code, TRIAL_BALANCE, load, lambda data: exports.trial_balance_table(data["tb"]))


@login_required
@require_GET
def balance_sheet(request: HttpRequest, code: str) -> HttpResponse:
    def load(coop: Cooperative, dates: Dates) -> dict[str, Any]:
        sheet = selectors.balance_sheet(cooperative=coop, as_of=dates.as_of)
        t = sheet.totals
        checks = [
            {"assets": a, "liabilities_equity": li + e, "difference": a - li - e}
            for a, li, e in zip(t["total_assets"], t["total_liabilities"], t["total_equity"], strict=True)
        ]
        return {"sheet": sheet, "checks": checks}

    return _statement(request, code, BALANCE_SHEET, load, lambda data: exports.balance_sheet_table(data["sheet"]))


@login_required
@require_GET
def income_statement(request: HttpRequest, code: str) -> HttpResponse:
    def load(coop: Cooperative, dates: Dates) -> dict[str, Any]:
        pl = selectors.income_statement(cooperative=coop, date_from=dates.date_from, date_to=dates.date_to)
        width = 1 + len(pl.units)
        income, expense = exports.root_totals(pl.income, width), exports.root_totals(pl.expense, width)
        return {
            "pl": pl,
            # Per column, units first and the total last (the selector puts the total first).
            "income_totals": [*income[1:], income[0]],
            "expense_totals": [*expense[1:], expense[0]],
            "surplus_row": [*pl.unit_surplus, pl.surplus],
        }

    return _statement(
        request,
        code,
        INCOME_STATEMENT,
        load,
        lambda data: exports.income_statement_table(data["pl"]),
        landscape=lambda data: len(data["pl"].units) > 3,
    )


@login_required
@require_GET
def cash_flow(request: HttpRequest, code: str) -> HttpResponse:
    def load(coop: Cooperative, dates: Dates) -> dict[str, Any]:
        return {"cf": selectors.cash_flow(cooperative=coop, date_from=dates.date_from, date_to=dates.date_to)}

    return _statement(request, code, CASH_FLOW, load, lambda data: exports.cash_flow_table(data["cf"]))


@login_required
@require_GET
def equity_changes(request: HttpRequest, code: str) -> HttpResponse:
    def load(coop: Cooperative, dates: Dates) -> dict[str, Any]:
        return {"eq": selectors.equity_changes(cooperative=coop, date_from=dates.date_from, date_to=dates.date_to)}

    return _statement(request, code, EQUITY_CHANGES, load, lambda data: exports.equity_changes_table(data["eq"]))


# --- general ledger -----------------------------------------------------------------------
def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "").strip()
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1


def _page_links(request: HttpRequest, current: int, pages: int) -> list[dict[str, Any]]:
    """Links to the first, last and nearby pages; ``None`` url marks a gap."""
    shown = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    links: list[dict[str, Any]] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            links.append({"number": None, "url": None, "current": False})
        links.append({"number": number, "url": _url_with(request, page=str(number)), "current": number == current})
        previous = number
    return links


def _ledger_for_export(
    coop: Cooperative, account: Account, dates: Dates, max_lines: int
) -> tuple[selectors.GeneralLedger, bool]:
    """The whole buku besar of the range (up to ``max_lines`` lines) for a file; True if cut."""
    first = selectors.general_ledger(
        cooperative=coop, account=account, date_from=dates.date_from, date_to=dates.date_to, limit=EXPORT_BATCH
    )
    lines = list(first.lines)
    while len(lines) < min(first.count, max_lines):
        more = selectors.general_ledger(
            cooperative=coop,
            account=account,
            date_from=dates.date_from,
            date_to=dates.date_to,
            limit=EXPORT_BATCH,
            offset=len(lines),
        )
        if not more.lines:
            break
        lines += more.lines
    lines = lines[:max_lines]
    return replace(first, lines=lines), first.count > len(lines)


def _ledger_page(request: HttpRequest, coop: Cooperative, account: Account, dates: Dates) -> dict[str, Any]:
    """One page of 200 lines; a page past the end (an old link) shows the last page."""
    page = _page_number(request)

    def load(page: int) -> selectors.GeneralLedger:
        return selectors.general_ledger(
            cooperative=coop,
            account=account,
            date_from=dates.date_from,
            date_to=dates.date_to,
            limit=LEDGER_PAGE_SIZE,
            offset=(page - 1) * LEDGER_PAGE_SIZE,
        )

    gl = load(page)
    pages = max(1, -(-gl.count // LEDGER_PAGE_SIZE))
    if page > pages:
        page = pages
        gl = load(page)
    return {
        "gl": gl,
        "page": page,
        "pages": pages,
        "first_page": page == 1,
        "last_page": page == pages,
        "page_links": _page_links(request, page, pages) if pages > 1 else [],
    }


@login_required
@require_GET
def general_ledger(request: HttpRequest, code: str) -> HttpResponse:
    report = GENERAL_LEDGER
    coop = _cooperative(request, code)
    accounts = selectors.account_list(cooperative=coop)
    context = _base_context(request, coop, report)
    account_code = request.GET.get("account", "").strip()[:20]
    context.update(accounts=[a for a in accounts if not a.is_group], account_code=account_code)
    output = request.GET.get("format", "")
    try:
        dates = _dates(request, report)
        account = next((a for a in accounts if a.code == account_code), None) if account_code else None
        if account_code and account is None:
            raise NotFound(_("Akun %(code)s tidak ditemukan.") % {"code": account_code})
        if account is not None and account.is_group:
            raise ValidationError.for_field(
                "account", _("Akun %(code)s adalah akun kelompok; pilih akun rinciannya.") % {"code": account.code}
            )
        if account is not None and output in ("pdf", "xlsx"):
            max_lines = PDF_MAX_LINES if output == "pdf" else XLSX_MAX_LINES
            gl, truncated = _ledger_for_export(coop, account, dates, max_lines)
            context.update(gl=gl, truncated=truncated, first_page=True, last_page=True)
        elif account is not None:
            context.update(_ledger_page(request, coop, account, dates))
    except (ValidationError, NotFound) as exc:
        context.update(error=exc.message, params=_params(request, report, None))
        return _page(request, context, status=exc.status, template="general_ledger")
    context.update(params=_params(request, report, dates), period_label=_period_label(report, dates))
    if account is None:
        return _page(request, context, template="general_ledger")
    context["title"] = _("Buku besar %(code)s %(name)s") % {"code": account.code, "name": account.name}
    if output in ("pdf", "xlsx"):
        filename = _file_name(report, coop, dates, output, prefix=f"{report.slug}-{slugify(account.code) or 'akun'}")
        if output == "pdf":
            return _pdf(coop, context, filename)
        table = exports.general_ledger_table(context["gl"], truncated=context["truncated"])
        return _xlsx(coop, context, table, filename)
    return _page(request, context, template="general_ledger")
