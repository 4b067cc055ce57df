"""HTML pages of the books: chart of accounts, journal, periods, verification, opening balances.

Each view: fetch the cooperative with the user's roles and check the action
(``cooperative_get_for_user``), parse a form, call one ledger service or selector,
render. ``NotFound`` and ``PermissionDenied`` propagate to ``DomainErrorMiddleware``
(404 / 403); ``ValidationError`` (422) and ``Conflict`` (409) are shown on the form with
the entered values kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from io import BytesIO
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.access import require
from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.ledger import opening, selectors, services
from koperasi.ledger.forms import (
    MAX_LINE_ROWS,
    AccountCreateForm,
    AccountEditForm,
    JournalEntryForm,
    JournalFilterForm,
    JournalLineForm,
    JournalLineFormSet,
    OpeningConfirmForm,
    OpeningUploadForm,
    ReasonForm,
    ReverseForm,
    group_account_choices,
    postable_account_choices,
    unit_choices,
)
from koperasi.ledger.models import Account, JournalEntry
from koperasi.ledger.verify import ledger_verify

GET_POST = require_http_methods(["GET", "POST"])
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JOURNAL_PAGE_SIZE = 50
START_ROWS = 4
LINE_FIELDS = ("account", "debit", "credit", "business_unit")
PREVIEW_MAX_AGE = 60 * 60  # seconds an opening-balance preview stays importable
SOURCE_LABELS = {
    "manual": gettext_noop("Jurnal manual"),
    opening.OPENING_SOURCE: gettext_noop("Saldo awal"),
    "ledger.journalentry": gettext_noop("Pembalikan jurnal"),
}


# --- helpers ------------------------------------------------------------------------------
def _books(request: HttpRequest, code: str, action: Action) -> tuple[Cooperative, frozenset[Role]]:
    return cooperative_get_for_user(user=request.user, code=code, action=action)


def _nav(roles: frozenset[Role]) -> dict[str, bool]:
    return {
        "can_post": can(roles, Action.JOURNAL_POST),
        "can_manage_accounts": can(roles, Action.ACCOUNTS_MANAGE),
        "can_close": can(roles, Action.PERIOD_CLOSE),
        "can_reopen": can(roles, Action.PERIOD_REOPEN),
        "can_import": can(roles, Action.OPENING_BALANCE_IMPORT),
    }


def _page(
    request: HttpRequest,
    template: str,
    cooperative: Cooperative,
    roles: frozenset[Role],
    active: str,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    context = {"coop": cooperative, "ledger_perms": _nav(roles), "active": active, **context}
    return render(request, f"ledger/{template}", context, status=status)


def _source_label(source_type: str) -> str:
    label = SOURCE_LABELS.get(source_type)
    return _(label) if label else source_type


def _xlsx(filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """An .xlsx download of one sheet: bold header, rows as given (write-only: memory stays flat)."""
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers):
        letter = get_column_letter(index + 1)
        width = max(12, min(len(header) + 4, 50))
        sheet.column_dimensions[letter].width = width  # type: ignore[attr-defined]
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in rows:
        out = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, int) and not isinstance(value, bool):
                cell.number_format = "#,##0"
            out.append(cell)
        sheet.append(out)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- home ---------------------------------------------------------------------------------
@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    coop = _books(request, code, Action.LEDGER_VIEW)[0]
    return redirect("ledger:journal", coop.code)


# --- chart of accounts --------------------------------------------------------------------
def _with_balances(cooperative: Cooperative, chart: list[Account]) -> list[Account]:
    """Set ``balance`` (natural sign, as of today) on every account; groups get their subtree's sum."""
    totals = selectors.totals_between(cooperative=cooperative, start=None, end=timezone.localdate())
    by_id = {a.pk: a for a in chart}
    for account in chart:
        account.balance = 0  # type: ignore[attr-defined]
    for account in chart:
        if account.is_group:
            continue
        amount = selectors.natural(account.type, *totals.get(account.pk, (0, 0)))
        node: Account | None = account
        seen = 0
        while node is not None and seen < 12:
            node.balance += amount  # type: ignore[attr-defined]
            node = by_id.get(node.parent_id) if node.parent_id else None
            seen += 1
    return chart


def _chart_xlsx(cooperative: Cooperative, chart: list[Account]) -> HttpResponse:
    headers = (
        "Kode",
        "Nama",
        "Induk",
        "Kelompok",
        "Jenis",
        "Saldo normal",
        "Peran sistem",
        "Pihak pendapatan",
        "Unit usaha",
        "Arus kas",
        "Aktif",
        "Saldo",
    )
    codes = {a.pk: a.code for a in chart}
    rows = (
        (
            a.code,
            ("   " * a.depth) + a.name,  # type: ignore[attr-defined]
            codes.get(a.parent_id or 0, ""),
            "ya" if a.is_group else "",
            a.get_type_display(),
            a.get_normal_side_display(),
            a.role,
            a.get_revenue_party_display() if a.revenue_party else "",
            a.business_unit.name if a.business_unit else "",
            a.get_cash_flow_display(),
            "ya" if a.is_active else "tidak",
            a.balance,  # type: ignore[attr-defined]
        )
        for a in chart
    )
    today = timezone.localdate()
    return _xlsx(f"bagan-akun-{cooperative.code}-{today:%Y%m%d}.xlsx", "Bagan akun", headers, rows)


@login_required
@GET_POST
def accounts(request: HttpRequest, code: str) -> HttpResponse:
    """The chart as a tree with balances (GET, ``?format=xlsx``) and the add-account form (POST)."""
    coop, roles = _books(request, code, Action.LEDGER_VIEW)
    if request.method == "POST":
        require(roles, Action.ACCOUNTS_MANAGE)
    chart = selectors.account_list(cooperative=coop)
    form = None
    status = 200
    if can(roles, Action.ACCOUNTS_MANAGE):
        form = AccountCreateForm(
            request.POST or None, parent_choices=group_account_choices(chart), unit_choices=unit_choices(coop)
        )
    if request.method == "POST":
        assert form is not None
        status = 422
        if form.is_valid():
            try:
                account = services.account_create(cooperative=coop, actor=request.user, **form.cleaned_data)
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Akun %(account)s ditambahkan.") % {"account": account})
                return redirect("ledger:accounts", coop.code)
    _with_balances(coop, chart)
    if request.GET.get("format") == "xlsx" and request.method == "GET":
        return _chart_xlsx(coop, chart)
    return _page(
        request, "accounts.html", coop, roles, "accounts", status, accounts=chart, form=form, today=timezone.localdate()
    )


def _account_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    account: Account,
    form: AccountEditForm,
    status: int = 200,
    delete_error: str = "",
) -> HttpResponse:
    return _page(
        request, "account_edit.html", coop, roles, "accounts", status, account=account, form=form,
        delete_error=delete_error,
    )  # fmt: skip


@login_required
@GET_POST
def account_edit(request: HttpRequest, code: str, account_code: str) -> HttpResponse:
    coop, roles = _books(request, code, Action.ACCOUNTS_MANAGE)
    account = selectors.account_get(cooperative=coop, code=account_code)
    initial = {
        "name": account.name,
        "is_active": account.is_active,
        "normal_side": account.normal_side,
        "cash_flow": account.cash_flow,
        "description": account.description,
    }
    form = AccountEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                saved = services.account_update(
                    cooperative=coop, account=account, actor=request.user, **form.cleaned_data
                )
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Akun %(account)s disimpan.") % {"account": saved})
                return redirect("ledger:accounts", coop.code)
    return _account_page(request, coop, roles, account, form, status)


@login_required
@require_POST
def account_delete(request: HttpRequest, code: str, account_code: str) -> HttpResponse:
    coop, roles = _books(request, code, Action.ACCOUNTS_MANAGE)
    account = selectors.account_get(cooperative=coop, code=account_code)
    label = str(account)
    try:
        services.account_delete(cooperative=coop, account=account, actor=request.user)
    except (ValidationError, Conflict) as exc:
        initial = {
            "name": account.name,
            "is_active": account.is_active,
            "normal_side": account.normal_side,
            "cash_flow": account.cash_flow,
            "description": account.description,
        }
        return _account_page(
            request, coop, roles, account, AccountEditForm(initial=initial), exc.status, delete_error=exc.message
        )
    messages.success(request, _("Akun %(account)s dihapus.") % {"account": label})
    return redirect("ledger:accounts", coop.code)


# --- journal ------------------------------------------------------------------------------
def _source_choices(cooperative: Cooperative) -> list[tuple[str, str]]:
    """The sources the cooperative's journal holds, with readable labels."""
    kinds = selectors.journal_source_types(cooperative=cooperative)
    return sorted(((kind, _source_label(kind)) for kind in kinds), key=lambda c: c[1])


def _journal_xlsx(cooperative: Cooperative, entries: Any) -> HttpResponse:
    headers = ("Nomor", "Tanggal", "Keterangan", "Sumber", "Kode akun", "Nama akun", "Unit usaha", "Debit", "Kredit")

    def rows() -> Iterable[Sequence[Any]]:
        for entry in entries.iterator(chunk_size=1000):
            for line in entry.lines.all():
                yield (
                    entry.number,
                    entry.date,
                    line.memo or entry.memo,
                    _source_label(entry.source_type),
                    line.account.code,
                    line.account.name,
                    line.business_unit.name if line.business_unit else "",
                    line.debit,
                    line.credit,
                )

    today = timezone.localdate()
    return _xlsx(f"jurnal-umum-{cooperative.code}-{today:%Y%m%d}.xlsx", "Jurnal umum", headers, rows())


@login_required
@require_GET
def journal(request: HttpRequest, code: str) -> HttpResponse:
    """The jurnal umum: posted entries newest first with their lines, filtered and paginated."""
    coop, roles = _books(request, code, Action.LEDGER_VIEW)
    filter_form = JournalFilterForm(request.GET, source_choices=_source_choices(coop))
    filter_form.is_valid()  # invalid fields are left out of cleaned_data and shown as errors
    chosen = filter_form.cleaned_data
    entries = selectors.journal_list(
        cooperative=coop,
        date_from=chosen.get("date_from"),
        date_to=chosen.get("date_to"),
        source_type=chosen.get("source") or "",
    )
    if request.GET.get("format") == "xlsx":
        return _journal_xlsx(coop, entries)
    page = Paginator(entries, JOURNAL_PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.source_label = _source_label(entry.source_type)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return _page(
        request,
        "journal.html",
        coop,
        roles,
        "journal",
        422 if filter_form.errors else 200,
        page=page,
        filter_form=filter_form,
        query=query.urlencode(),
    )


def _line_formset(cooperative: Cooperative, data: Any = None, initial: list[dict[str, Any]] | None = None) -> Any:
    chart = selectors.account_list(cooperative=cooperative)
    return JournalLineFormSet(
        data,
        initial=initial,
        prefix="lines",
        account_choices=postable_account_choices(chart),
        unit_choices=unit_choices(cooperative),
    )


def _posted_row_count(data: Any) -> int:
    try:
        count = int(data.get("lines-TOTAL_FORMS", START_ROWS))
    except (TypeError, ValueError):
        count = START_ROWS
    return max(1, min(count, MAX_LINE_ROWS - 1))


def _put_journal_error(form: JournalEntryForm, rows: list[JournalLineForm], error: ValidationError | Conflict) -> int:
    """Show the service's refusal: "lines.N" problems at their row, the rest on the entry form."""
    if not isinstance(error, ValidationError):
        form_add_domain_error(form, error)
        return error.status
    placed = False
    for key, problems in (error.detail or {}).items():
        if not isinstance(problems, list) or key == "difference":
            continue
        target: forms.Form = form
        field: str | None = key if key in form.fields else None
        if key.startswith("lines."):
            index = int(key.split(".", 1)[1]) - 1 if key.split(".", 1)[1].isdigit() else -1
            if 0 <= index < len(rows):
                target, field = rows[index], None
        elif field is None and key != "lines":
            continue
        for problem in problems:
            target.add_error(field, str(problem))
        placed = True
    if not placed:
        form.add_error(None, error.message)
    return error.status


@login_required
@GET_POST
def journal_new(request: HttpRequest, code: str) -> HttpResponse:
    """The manual journal form: a date, a memo and N lines; posts once per form (idempotency key)."""
    coop, roles = _books(request, code, Action.JOURNAL_POST)
    status = 200
    if request.method == "GET":
        form = JournalEntryForm(initial={"date": timezone.localdate(), "idempotency_key": JournalEntryForm.new_key()})
        lines = _line_formset(coop, initial=[{} for _ in range(START_ROWS)])
    elif "tambah_baris" in request.POST:
        # No-JS "Tambah baris": re-render with one more row, keeping what was typed, judging nothing.
        data = request.POST
        form = JournalEntryForm(initial={name: data.get(name, "") for name in ("date", "memo", "idempotency_key")})
        if not form.initial["idempotency_key"]:
            form.initial["idempotency_key"] = JournalEntryForm.new_key()
        typed = [
            {name: data.get(f"lines-{i}-{name}", "") for name in LINE_FIELDS} for i in range(_posted_row_count(data))
        ]
        lines = _line_formset(coop, initial=[*typed, {}])
    else:
        form = JournalEntryForm(request.POST)
        lines = _line_formset(coop, data=request.POST)
        status = 422
        form_ok = form.is_valid()
        if lines.is_valid() and form_ok:
            entered: list[JournalLineForm] = [f for f in lines.forms if not f.is_blank]
            line_inputs = [
                services.LineInput(
                    account=f.cleaned_data["account"],
                    debit=f.cleaned_data["debit"] or 0,
                    credit=f.cleaned_data["credit"] or 0,
                    business_unit=f.cleaned_data["business_unit"] or None,
                )
                for f in entered
            ]
            started = timezone.now()
            try:
                entry = services.journal_post(
                    cooperative=coop,
                    date=form.cleaned_data["date"],
                    memo=form.cleaned_data["memo"],
                    lines=line_inputs,
                    source="manual",
                    idempotency_key=form.cleaned_data["idempotency_key"] or None,
                    actor=request.user,
                )
            except (ValidationError, Conflict) as exc:
                status = _put_journal_error(form, entered, exc)
            else:
                if entry.created_at < started:
                    messages.info(
                        request,
                        _("Jurnal %(number)s sudah tercatat; kiriman ganda diabaikan.") % {"number": entry.number},
                    )
                else:
                    messages.success(request, _("Jurnal %(number)s dicatat.") % {"number": entry.number})
                return redirect("ledger:journal_detail", coop.code, entry.pk)
    return _page(request, "journal_form.html", coop, roles, "journal", status, form=form, lines=lines)


def _entry_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    entry: JournalEntry,
    reverse_form: ReverseForm,
    status: int = 200,
) -> HttpResponse:
    lines = list(entry.lines.all())
    reversals = list(entry.reversals.all())
    return _page(
        request,
        "journal_detail.html",
        coop,
        roles,
        "journal",
        status,
        entry=entry,
        lines=lines,
        total_debit=sum(line.debit for line in lines),
        total_credit=sum(line.credit for line in lines),
        reversal=reversals[0] if reversals else None,
        source_label=_source_label(entry.source_type),
        reverse_form=reverse_form,
        can_reverse=can(roles, Action.JOURNAL_POST)
        and entry.reverses_id is None
        and not reversals
        and entry.source_type in services.JOURNAL_SOURCES,
        from_business_record=entry.source_type not in services.JOURNAL_SOURCES and entry.reverses_id is None,
    )


@login_required
@require_GET
def journal_detail(request: HttpRequest, code: str, entry_id: int) -> HttpResponse:
    coop, roles = _books(request, code, Action.LEDGER_VIEW)
    entry = selectors.entry_get(cooperative=coop, entry_id=entry_id)
    return _entry_page(request, coop, roles, entry, ReverseForm(initial={"date": timezone.localdate()}))


@login_required
@require_POST
def journal_reverse(request: HttpRequest, code: str, entry_id: int) -> HttpResponse:
    coop, roles = _books(request, code, Action.JOURNAL_POST)
    entry = selectors.entry_get(cooperative=coop, entry_id=entry_id)
    form = ReverseForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            reversal = services.journal_reverse(
                cooperative=coop,
                entry=entry,
                date=form.cleaned_data["date"],
                memo=form.cleaned_data["memo"],
                actor=request.user,
            )
        except (ValidationError, Conflict) as exc:
            status = form_add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Jurnal %(number)s dibalik dengan %(reversal)s.")
                % {"number": entry.number, "reversal": reversal.number},
            )
            return redirect("ledger:journal_detail", coop.code, reversal.pk)
    return _entry_page(request, coop, roles, entry, form, status)


# --- periods ------------------------------------------------------------------------------
def _periods_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    status: int = 200,
    error: str = "",
    error_month: datetime.date | None = None,
) -> HttpResponse:
    return _page(
        request,
        "periods.html",
        coop,
        roles,
        "periods",
        status,
        rows=selectors.period_list(cooperative=coop, today=timezone.localdate()),
        error=error,
        error_month=error_month,
        reason_form=ReasonForm(),
    )


def _month(year: int, month: int) -> datetime.date:
    try:
        return datetime.date(year, month, 1)
    except ValueError:
        raise NotFound(_("Periode tidak dikenal."))


def _form_message(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_GET
def periods(request: HttpRequest, code: str) -> HttpResponse:
    coop, roles = _books(request, code, Action.LEDGER_VIEW)
    return _periods_page(request, coop, roles)


@login_required
@require_POST
def period_close(request: HttpRequest, code: str, year: int, month: int) -> HttpResponse:
    coop, roles = _books(request, code, Action.PERIOD_CLOSE)
    day = _month(year, month)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _periods_page(request, coop, roles, 422, _form_message(form), day)
    try:
        services.period_close(cooperative=coop, month=day, reason=form.cleaned_data["reason"], actor=request.user)
    except (ValidationError, Conflict) as exc:
        return _periods_page(request, coop, roles, exc.status, exc.message, day)
    messages.success(request, _("Periode %(month)s ditutup.") % {"month": f"{day:%m/%Y}"})
    return redirect("ledger:periods", coop.code)


@login_required
@require_POST
def period_reopen_request(request: HttpRequest, code: str, year: int, month: int) -> HttpResponse:
    coop, roles = _books(request, code, Action.PERIOD_REOPEN)
    day = _month(year, month)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _periods_page(request, coop, roles, 422, _form_message(form), day)
    try:
        services.period_reopen_request(
            cooperative=coop, month=day, reason=form.cleaned_data["reason"], actor=request.user
        )
    except (ValidationError, Conflict) as exc:
        return _periods_page(request, coop, roles, exc.status, exc.message, day)
    messages.success(
        request,
        _("Permintaan membuka kembali periode %(month)s dicatat; menunggu persetujuan ketua/pengawas lainnya.")
        % {"month": f"{day:%m/%Y}"},
    )
    return redirect("ledger:periods", coop.code)


@login_required
@require_POST
def period_reopen_approve(request: HttpRequest, code: str, request_id: int) -> HttpResponse:
    coop, roles = _books(request, code, Action.PERIOD_REOPEN)
    reopen = selectors.reopen_request_get(cooperative=coop, request_id=request_id)
    try:
        period = services.period_reopen_approve(cooperative=coop, request=reopen, actor=request.user)
    except (ValidationError, Conflict, PermissionDenied) as exc:
        # The four-eyes refusal (same person / same role) is the point of the rule: show it.
        return _periods_page(request, coop, roles, exc.status, exc.message, reopen.period.month)
    messages.success(request, _("Periode %(month)s dibuka kembali.") % {"month": f"{period.month:%m/%Y}"})
    return redirect("ledger:periods", coop.code)


# --- verification -------------------------------------------------------------------------
@login_required
@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    coop, roles = _books(request, code, Action.LEDGER_VIEW)
    result = ledger_verify(cooperative=coop)
    broken = None
    if result.first_broken_seq is not None:
        broken = selectors.entry_by_number(cooperative=coop, seq=result.first_broken_seq)
    return _page(
        request,
        "verify.html",
        coop,
        roles,
        "verify",
        result=result,
        broken=broken,
        checked_at=timezone.now(),
    )


# --- opening balance ----------------------------------------------------------------------
def _opening_salt(coop: Cooperative, request: HttpRequest) -> str:
    return f"ledger.opening:{coop.pk}:{request.user.pk}"


def _opening_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    context.setdefault("upload_form", OpeningUploadForm())
    return _page(
        request,
        "opening.html",
        coop,
        roles,
        "opening",
        status,
        existing=opening.opening_balance_entry(cooperative=coop),
        **context,
    )


@login_required
@GET_POST
def opening_balance(request: HttpRequest, code: str) -> HttpResponse:
    """Upload the filled template → preview (rows, totals, problems) → "Impor" → the posted entry."""
    coop, roles = _books(request, code, Action.OPENING_BALANCE_IMPORT)
    if request.method == "GET":
        return _opening_page(request, coop, roles)
    if "payload" in request.POST:
        return _opening_confirm(request, coop, roles)
    upload_form = OpeningUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _opening_page(request, coop, roles, 422, upload_form=upload_form)
    try:
        parsed = opening.opening_balance_parse(upload_form.cleaned_data["file"].read())
    except ValidationError as exc:
        form_add_domain_error(upload_form, exc)
        return _opening_page(request, coop, roles, exc.status, upload_form=upload_form)
    checked = opening.opening_balance_check(cooperative=coop, date=parsed.date, rows=parsed.rows)
    problems = [*parsed.problems, *checked.problems]
    payload = ""
    if not problems and checked.ok:
        assert parsed.date is not None
        payload = signing.dumps(
            {
                "date": parsed.date.isoformat(),
                "rows": [[r.row_no, r.code, r.debit, r.credit] for r in checked.rows],
            },
            salt=_opening_salt(coop, request),
            compress=True,
        )
    return _opening_page(
        request,
        coop,
        roles,
        200 if payload else 422,
        preview=checked,
        problems=problems,
        confirm_form=OpeningConfirmForm(initial={"payload": payload}) if payload else None,
    )


def _opening_confirm(request: HttpRequest, coop: Cooperative, roles: frozenset[Role]) -> HttpResponse:
    form = OpeningConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        data = signing.loads(form.cleaned_data["payload"], salt=_opening_salt(coop, request), max_age=PREVIEW_MAX_AGE)
        day = datetime.date.fromisoformat(data["date"])
        rows = [
            opening.OpeningRow(row_no=int(n), code=str(c), debit=int(d), credit=int(k)) for n, c, d, k in data["rows"]
        ]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return _opening_page(
            request, coop, roles, 422, error=_("Pratinjau sudah kedaluwarsa atau tidak sah; unggah ulang berkasnya.")
        )
    try:
        entry = opening.opening_balance_import(cooperative=coop, date=day, rows=rows, actor=request.user)
    except (ValidationError, Conflict) as exc:
        return _opening_page(request, coop, roles, exc.status, error=exc.message)
    messages.success(
        request,
        _("Saldo awal per %(date)s diimpor sebagai %(number)s.") % {"date": f"{day:%d/%m/%Y}", "number": entry.number},
    )
    return redirect("ledger:journal_detail", coop.code, entry.pk)


@login_required
@require_GET
def opening_balance_template(request: HttpRequest, code: str) -> HttpResponse:
    coop = _books(request, code, Action.OPENING_BALANCE_IMPORT)[0]
    response = HttpResponse(opening.opening_balance_template(coop), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="templat-saldo-awal-{coop.code}.xlsx"'
    return response
