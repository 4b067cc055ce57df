"""API: the books of one cooperative — chart, journal, statements, verification, periods.

Mounted at ``/coops`` beside the cooperatives router (``koperasi.api.api``); every path
starts with ``/{coop}``. Handlers parse, check the permission with
``cooperative_get_for_user``, call one service or selector and shape the answer.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from koperasi.cooperatives import selectors as coop_selectors
from koperasi.cooperatives.models import Cooperative
from koperasi.core.api_types import Day, WholeRupiah
from koperasi.core.errors import ValidationError
from koperasi.core.pagination import MAX_LIMIT, paginate
from koperasi.core.permissions import Action
from koperasi.ledger import selectors, services
from koperasi.ledger.choices import ReopenStatus
from koperasi.ledger.models import Account, JournalEntry, Period, PeriodReopenRequest
from koperasi.ledger.verify import ledger_verify

router = Router(tags=["ledger"])


def _coop(request: HttpRequest, code: str, action: Action) -> Cooperative:
    cooperative, _ = coop_selectors.cooperative_get_for_user(user=request.user, code=code, action=action)
    return cooperative


def _today() -> datetime.date:
    return timezone.localdate()


def _range(date_from: datetime.date | None, date_to: datetime.date | None) -> tuple[datetime.date, datetime.date]:
    """Default ``to`` = today, ``from`` = 1 January of ``to``'s year; refuse ``from`` after ``to``."""
    end = date_to or _today()
    start = date_from or datetime.date(end.year, 1, 1)
    if start > end:
        raise ValidationError.for_field("from", "Tanggal awal tidak boleh setelah tanggal akhir.")
    return start, end


def _check_page(limit: int, offset: int) -> None:
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationError.for_field("limit", f"limit harus 1–{MAX_LIMIT}.")
    if offset < 0:
        raise ValidationError.for_field("offset", "offset tidak boleh negatif.")


_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _month(value: str) -> datetime.date:
    """Parse a ``YYYY-MM`` path segment into the first day of that month. Raises ValidationError."""
    match = _MONTH_RE.match(value)
    if match is None or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ValidationError.for_field("month", "Periode ditulis TTTT-BB, mis. 2026-01.")
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


# --- Schemas: chart of accounts -------------------------------------------------------------
class AccountOut(Schema):
    code: str
    name: str
    type: str
    normal_side: str
    parent_code: str | None
    depth: int
    is_group: bool
    role: str
    revenue_party: str
    business_unit: str | None
    cash_flow: str
    is_active: bool


class AccountListOut(Schema):
    items: list[AccountOut]
    count: int


class AccountIn(Schema):
    code: str
    name: str
    parent_code: str = ""
    is_group: bool = False
    revenue_party: str = ""
    business_unit_code: str = ""
    cash_flow: str = ""
    description: str = ""


class PageIn(Schema):
    limit: int = MAX_LIMIT
    offset: int = 0


def _account_out(account: Account, by_id: dict[int, Account] | None = None) -> dict[str, Any]:
    parent = (by_id or {}).get(account.parent_id) if account.parent_id else None
    if account.parent_id and parent is None:
        parent = account.parent
    return {
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "normal_side": account.normal_side,
        "parent_code": parent.code if parent else None,
        "depth": getattr(account, "depth", 0),
        "is_group": account.is_group,
        "role": account.role,
        "revenue_party": account.revenue_party,
        "business_unit": account.business_unit.code if account.business_unit else None,
        "cash_flow": account.cash_flow,
        "is_active": account.is_active,
    }


# --- Schemas: journal -----------------------------------------------------------------------
class JournalLineIn(Schema):
    account_code: str
    debit: WholeRupiah = 0
    credit: WholeRupiah = 0
    business_unit: str | None = None
    memo: str = ""


class JournalIn(Schema):
    date: datetime.date
    memo: str
    lines: list[JournalLineIn]


class ReverseIn(Schema):
    date: datetime.date
    memo: str = ""


class JournalLineOut(Schema):
    account_code: str
    account_name: str
    debit: int
    credit: int
    business_unit: str | None
    memo: str


class JournalEntryOut(Schema):
    id: int
    number: str
    date: datetime.date
    memo: str
    source_type: str
    source_id: str
    amount: int
    reverses_id: int | None
    created_by: str | None
    created_at: datetime.datetime
    lines: list[JournalLineOut]


class JournalEntryDetailOut(JournalEntryOut):
    reversed_by_id: int | None


class JournalListOut(Schema):
    items: list[JournalEntryOut]
    count: int


class JournalFilter(Schema):
    date_from: datetime.date | None = Field(None, alias="from")
    date_to: datetime.date | None = Field(None, alias="to")
    source: str = ""
    limit: int = 100
    offset: int = 0


def _entry_out(entry: JournalEntry) -> dict[str, Any]:
    """Shape an entry whose lines (with account and unit) and ``created_by`` are loaded."""
    return {
        "id": entry.pk,
        "number": entry.number,
        "date": entry.date,
        "memo": entry.memo,
        "source_type": entry.source_type,
        "source_id": entry.source_id,
        "amount": entry.amount,
        "reverses_id": entry.reverses_id,
        "created_by": entry.created_by.username if entry.created_by else None,
        "created_at": entry.created_at,
        "lines": [
            {
                "account_code": line.account.code,
                "account_name": line.account.name,
                "debit": line.debit,
                "credit": line.credit,
                "business_unit": line.business_unit.code if line.business_unit else None,
                "memo": line.memo,
            }
            for line in entry.lines.all()
        ],
    }


def _entry_detail_out(entry: JournalEntry) -> dict[str, Any]:
    reversal = next(iter(entry.reversals.all()), None)
    return {**_entry_out(entry), "reversed_by_id": reversal.pk if reversal else None}


# --- Schemas: statements --------------------------------------------------------------------
class AsOfIn(Schema):
    as_of: Day | None = None


class RangeIn(Schema):
    date_from: Day | None = Field(None, alias="from")
    date_to: Day | None = Field(None, alias="to")


class GeneralLedgerIn(RangeIn):
    account: str
    limit: int = 100
    offset: int = 0


class TrialBalanceRowOut(Schema):
    account_code: str
    name: str
    debit: int
    credit: int


class TrialBalanceOut(Schema):
    as_of: datetime.date
    rows: list[TrialBalanceRowOut]
    total_debit: int
    total_credit: int


class BalanceRowOut(Schema):
    account_code: str | None
    name: str
    depth: int
    is_group: bool
    amount: int
    previous: int


class BalanceTotalsOut(Schema):
    total_assets: int
    total_liabilities: int
    total_equity: int
    shu_current: int
    balanced: bool


class BalanceSheetOut(Schema):
    as_of: datetime.date
    compare_to: datetime.date
    total_assets: int
    total_liabilities: int
    total_equity: int
    balanced: bool
    shu_current: int
    shu_prior: int
    previous: BalanceTotalsOut
    assets: list[BalanceRowOut]
    liabilities: list[BalanceRowOut]
    equity: list[BalanceRowOut]


class UnitColumnOut(Schema):
    id: int
    name: str


class IncomeRowOut(Schema):
    account_code: str | None
    name: str
    depth: int
    is_group: bool
    amount: int
    by_unit: list[int]


class IncomeStatementOut(Schema):
    date_from: datetime.date = Field(..., alias="from")
    date_to: datetime.date = Field(..., alias="to")
    total_income: int
    total_expense: int
    surplus: int
    income_members: int
    income_non_members: int
    income_other: int
    units: list[UnitColumnOut]
    surplus_by_unit: list[int]
    income: list[IncomeRowOut]
    expense: list[IncomeRowOut]


class CashFlowRowOut(Schema):
    account_code: str
    name: str
    amount: int


class CashFlowSectionOut(Schema):
    group: str
    label: str
    rows: list[CashFlowRowOut]
    net: int


class CashFlowOut(Schema):
    date_from: datetime.date = Field(..., alias="from")
    date_to: datetime.date = Field(..., alias="to")
    opening_cash: int
    closing_cash: int
    net_change: int
    sections: list[CashFlowSectionOut]


class EquityRowOut(Schema):
    account_code: str | None
    name: str
    opening: int
    increase: int
    decrease: int
    closing: int


class EquityChangesOut(Schema):
    date_from: datetime.date = Field(..., alias="from")
    date_to: datetime.date = Field(..., alias="to")
    rows: list[EquityRowOut]
    total: EquityRowOut


class LedgerAccountOut(Schema):
    code: str
    name: str
    type: str
    normal_side: str


class LedgerLineOut(Schema):
    date: datetime.date
    entry_id: int
    number: str
    memo: str
    debit: int
    credit: int
    balance: int


class GeneralLedgerOut(Schema):
    account: LedgerAccountOut
    date_from: datetime.date = Field(..., alias="from")
    date_to: datetime.date = Field(..., alias="to")
    opening: int
    closing: int
    items: list[LedgerLineOut]
    count: int


class VerifyOut(Schema):
    ok: bool
    entries_checked: int
    lines_checked: int
    first_broken: str | None
    problems: list[str]


# --- Schemas: periods -----------------------------------------------------------------------
class ReasonIn(Schema):
    reason: str


class ReopenRequestOut(Schema):
    id: int
    month: str
    reason: str
    status: str
    requested_by: str
    requested_role: str
    requested_at: datetime.datetime
    approved_by: str | None
    approved_role: str
    approved_at: datetime.datetime | None


class PeriodOut(Schema):
    month: str
    is_closed: bool
    closed_at: datetime.datetime | None
    closed_by: str | None
    reason: str
    pending_request: ReopenRequestOut | None


class PeriodListOut(Schema):
    items: list[PeriodOut]
    count: int


class ReopenRequestListOut(Schema):
    items: list[ReopenRequestOut]
    count: int


class ReopenFilter(Schema):
    status: str = ""
    limit: int = 100
    offset: int = 0


def _request_out(req: PeriodReopenRequest, period: Period | None = None) -> dict[str, Any]:
    period = period or req.period
    return {
        "id": req.pk,
        "month": f"{period.month:%Y-%m}",
        "reason": req.reason,
        "status": req.status,
        "requested_by": req.requested_by.username,
        "requested_role": req.requested_role,
        "requested_at": req.requested_at,
        "approved_by": req.approved_by.username if req.approved_by else None,
        "approved_role": req.approved_role,
        "approved_at": req.approved_at,
    }


def _period_out(period: Period) -> dict[str, Any]:
    pending = getattr(period, "pending", None)
    if pending is None:
        pending = list(
            PeriodReopenRequest.objects.filter(period=period, status=ReopenStatus.PENDING).select_related(
                "requested_by", "approved_by"
            )
        )
    return {
        "month": f"{period.month:%Y-%m}",
        "is_closed": period.is_closed,
        "closed_at": period.closed_at,
        "closed_by": period.closed_by.username if period.closed_by else None,
        "reason": period.reason,
        "pending_request": _request_out(pending[0], period) if pending else None,
    }


# --- Endpoints: chart of accounts -----------------------------------------------------------
@router.get("/{coop}/accounts", response=AccountListOut, summary="Bagan akun koperasi")
def account_list(request: HttpRequest, coop: str, page: Query[PageIn]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    _check_page(page.limit, page.offset)
    accounts = selectors.account_list(cooperative=cooperative)
    by_id = {a.pk: a for a in accounts}
    window = accounts[page.offset : page.offset + page.limit]
    return {"items": [_account_out(a, by_id) for a in window], "count": len(accounts)}


@router.post("/{coop}/accounts", response={201: AccountOut}, summary="Tambah akun (bendahara)")
def account_create(request: HttpRequest, coop: str, payload: AccountIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.ACCOUNTS_MANAGE)
    account = services.account_create(cooperative=cooperative, actor=request.user, **payload.dict())
    by_id = {a.pk: a for a in selectors.account_list(cooperative=cooperative)}  # for depth and parent code
    return Status(201, _account_out(by_id.get(account.pk, account), by_id))


# --- Endpoints: journal ---------------------------------------------------------------------
@router.get("/{coop}/journal", response=JournalListOut, summary="Jurnal umum (terbaru dahulu)")
def journal_list(request: HttpRequest, coop: str, filters: Query[JournalFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ValidationError.for_field("from", "Tanggal awal tidak boleh setelah tanggal akhir.")
    qs = selectors.journal_list(
        cooperative=cooperative, date_from=filters.date_from, date_to=filters.date_to, source_type=filters.source
    )
    return paginate(qs, limit=filters.limit, offset=filters.offset, to_item=_entry_out)


@router.post("/{coop}/journal", response={201: JournalEntryDetailOut}, summary="Catat jurnal manual (bendahara)")
def journal_create(
    request: HttpRequest,
    coop: str,
    payload: JournalIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.JOURNAL_POST)
    lines = [
        services.LineInput(
            account=line.account_code,
            debit=line.debit,
            credit=line.credit,
            business_unit=line.business_unit or None,
            memo=line.memo,
        )
        for line in payload.lines
    ]
    entry = services.journal_post(
        cooperative=cooperative,
        date=payload.date,
        lines=lines,
        memo=payload.memo,
        # Keys share one namespace per cooperative across every source that posts; prefix ours.
        idempotency_key=f"api-journal:{idempotency_key}" if idempotency_key else None,
        actor=request.user,
    )
    entry = selectors.entry_get(cooperative=cooperative, entry_id=entry.pk)
    return Status(201, _entry_detail_out(entry))


@router.get("/{coop}/journal/{entry_id}", response=JournalEntryDetailOut, summary="Satu jurnal dengan barisnya")
def journal_detail(request: HttpRequest, coop: str, entry_id: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    return _entry_detail_out(selectors.entry_get(cooperative=cooperative, entry_id=entry_id))


@router.post(
    "/{coop}/journal/{entry_id}/reverse",
    response={201: JournalEntryDetailOut},
    summary="Balik jurnal (koreksi dengan jurnal pembalik)",
)
def journal_reverse(
    request: HttpRequest,
    coop: str,
    entry_id: int,
    payload: ReverseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.JOURNAL_POST)
    entry = selectors.entry_get(cooperative=cooperative, entry_id=entry_id)
    reversal = services.journal_reverse(
        cooperative=cooperative,
        entry=entry,
        date=payload.date,
        memo=payload.memo,
        idempotency_key=f"api-reverse:{idempotency_key}" if idempotency_key else None,
        actor=request.user,
    )
    return Status(201, _entry_detail_out(selectors.entry_get(cooperative=cooperative, entry_id=reversal.pk)))


# --- Endpoints: statements ------------------------------------------------------------------
@router.get("/{coop}/reports/trial-balance", response=TrialBalanceOut, summary="Neraca saldo")
def report_trial_balance(request: HttpRequest, coop: str, params: Query[AsOfIn]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    tb = selectors.trial_balance(cooperative=cooperative, as_of=params.as_of or _today())
    return {
        "as_of": tb.as_of,
        "rows": [
            {"account_code": r.account.code, "name": r.account.name, "debit": r.debit, "credit": r.credit}
            for r in tb.rows
        ],
        "total_debit": tb.total_debit,
        "total_credit": tb.total_credit,
    }


def _balance_rows(rows: list[selectors.StatementRow]) -> list[dict[str, Any]]:
    return [
        {
            "account_code": r.code or None,
            "name": r.name,
            "depth": r.depth,
            "is_group": r.is_group,
            "amount": r.amounts[0],
            "previous": r.amounts[1],
        }
        for r in rows
    ]


@router.get("/{coop}/reports/balance-sheet", response=BalanceSheetOut, summary="Neraca")
def report_balance_sheet(request: HttpRequest, coop: str, params: Query[AsOfIn]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    bs = selectors.balance_sheet(cooperative=cooperative, as_of=params.as_of or _today())
    t = bs.totals

    def column(i: int) -> dict[str, Any]:
        return {
            "total_assets": t["total_assets"][i],
            "total_liabilities": t["total_liabilities"][i],
            "total_equity": t["total_equity"][i],
            "shu_current": t["shu_current"][i],
            "balanced": t["total_assets"][i] == t["total_liabilities"][i] + t["total_equity"][i],
        }

    return {
        "as_of": bs.as_of,
        "compare_to": bs.compare_to,
        **column(0),
        "shu_prior": t["shu_prior"][0],
        "previous": column(1),
        "assets": _balance_rows(bs.assets),
        "liabilities": _balance_rows(bs.liabilities),
        "equity": _balance_rows(bs.equity),
    }


def _income_rows(rows: list[selectors.StatementRow]) -> list[dict[str, Any]]:
    return [
        {
            "account_code": r.code or None,
            "name": r.name,
            "depth": r.depth,
            "is_group": r.is_group,
            "amount": r.amounts[0],
            "by_unit": r.amounts[1:],
        }
        for r in rows
    ]


@router.get(
    "/{coop}/reports/income-statement",
    response=IncomeStatementOut,
    by_alias=True,
    summary="Perhitungan hasil usaha (anggota / bukan anggota, per unit usaha)",
)
def report_income_statement(request: HttpRequest, coop: str, params: Query[RangeIn]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    start, end = _range(params.date_from, params.date_to)
    stmt = selectors.income_statement(cooperative=cooperative, date_from=start, date_to=end)
    return {
        "from": stmt.date_from,
        "to": stmt.date_to,
        "total_income": stmt.total_income,
        "total_expense": stmt.total_expense,
        "surplus": stmt.surplus,
        "income_members": stmt.income_by_party["anggota"],
        "income_non_members": stmt.income_by_party["non_anggota"],
        "income_other": stmt.income_by_party["lainnya"],
        "units": [{"id": unit_id, "name": name} for unit_id, name in stmt.units],
        "surplus_by_unit": stmt.unit_surplus,
        "income": _income_rows(stmt.income),
        "expense": _income_rows(stmt.expense),
    }


@router.get("/{coop}/reports/cash-flow", response=CashFlowOut, by_alias=True, summary="Laporan arus kas")
def report_cash_flow(request: HttpRequest, coop: str, params: Query[RangeIn]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    start, end = _range(params.date_from, params.date_to)
    cf = selectors.cash_flow(cooperative=cooperative, date_from=start, date_to=end)
    return {
        "from": cf.date_from,
        "to": cf.date_to,
        "opening_cash": cf.opening_cash,
        "closing_cash": cf.closing_cash,
        "net_change": cf.net_change,
        "sections": [
            {
                "group": group,
                "label": str(label),
                "rows": [{"account_code": a.code, "name": a.name, "amount": amount} for a, amount in rows],
                "net": net,
            }
            for group, label, rows, net in cf.sections
        ],
    }


def _equity_row(row: selectors.EquityRow) -> dict[str, Any]:
    return {
        "account_code": row.code or None,
        "name": row.name,
        "opening": row.opening,
        "increase": row.increase,
        "decrease": row.decrease,
        "closing": row.closing,
    }


@router.get(
    "/{coop}/reports/equity-changes", response=EquityChangesOut, by_alias=True, summary="Laporan perubahan ekuitas"
)
def report_equity_changes(request: HttpRequest, coop: str, params: Query[RangeIn]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    start, end = _range(params.date_from, params.date_to)
    ec = selectors.equity_changes(cooperative=cooperative, date_from=start, date_to=end)
    return {
        "from": ec.date_from,
        "to": ec.date_to,
        "rows": [_equity_row(r) for r in ec.rows],
        "total": _equity_row(ec.total),
    }


@router.get(
    "/{coop}/reports/general-ledger",
    response=GeneralLedgerOut,
    by_alias=True,
    summary="Buku besar satu akun (saldo berjalan)",
)
def report_general_ledger(request: HttpRequest, coop: str, params: Query[GeneralLedgerIn]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    _check_page(params.limit, params.offset)
    start, end = _range(params.date_from, params.date_to)
    account = selectors.account_get(cooperative=cooperative, code=params.account)
    gl = selectors.general_ledger(
        cooperative=cooperative,
        account=account,
        date_from=start,
        date_to=end,
        limit=params.limit,
        offset=params.offset,
    )
    return {
        "account": {
            "code": account.code,
            "name": account.name,
            "type": account.type,
            "normal_side": account.normal_side,
        },
        "from": gl.date_from,
        "to": gl.date_to,
        "opening": gl.opening,
        "closing": gl.closing,
        "items": [
            {
                "date": ln.date,
                "entry_id": ln.entry_id,
                "number": ln.number,
                "memo": ln.memo,
                "debit": ln.debit,
                "credit": ln.credit,
                "balance": ln.balance,
            }
            for ln in gl.lines
        ],
        "count": gl.count,
    }


# --- Endpoints: verification ----------------------------------------------------------------
@router.get("/{coop}/ledger/verify", response=VerifyOut, summary="Periksa keutuhan buku (rantai hash, saldo)")
def ledger_verify_endpoint(request: HttpRequest, coop: str) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    result = ledger_verify(cooperative=cooperative)
    return {
        "ok": result.ok,
        "entries_checked": result.entries_checked,
        "lines_checked": result.lines_checked,
        "first_broken": f"JU-{result.first_broken_seq:06d}" if result.first_broken_seq is not None else None,
        "problems": result.problems,
    }


# --- Endpoints: periods ---------------------------------------------------------------------
@router.get("/{coop}/periods", response=PeriodListOut, summary="Periode (bulan) yang pernah ditutup")
def period_list(request: HttpRequest, coop: str, page: Query[PageIn]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    pending = PeriodReopenRequest.objects.filter(status=ReopenStatus.PENDING).select_related(
        "requested_by", "approved_by"
    )
    qs = (
        Period.objects.filter(cooperative=cooperative)
        .select_related("closed_by")
        .prefetch_related(Prefetch("reopen_requests", queryset=pending, to_attr="pending"))
        .order_by("-month")
    )
    return paginate(qs, limit=page.limit, offset=page.offset, to_item=_period_out)


@router.post("/{coop}/periods/{month}/close", response=PeriodOut, summary="Tutup periode (bendahara)")
def period_close(request: HttpRequest, coop: str, month: str, payload: ReasonIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.PERIOD_CLOSE)
    period = services.period_close(
        cooperative=cooperative, month=_month(month), reason=payload.reason, actor=request.user
    )
    return _period_out(period)


@router.post(
    "/{coop}/periods/{month}/reopen-requests",
    response={201: ReopenRequestOut},
    summary="Minta periode dibuka kembali (ketua atau pengawas)",
)
def period_reopen_request(request: HttpRequest, coop: str, month: str, payload: ReasonIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.PERIOD_REOPEN)
    req = services.period_reopen_request(
        cooperative=cooperative, month=_month(month), reason=payload.reason, actor=request.user
    )
    return Status(201, _request_out(req))


@router.get(
    "/{coop}/period-reopen-requests", response=ReopenRequestListOut, summary="Permintaan membuka kembali periode"
)
def reopen_request_list(request: HttpRequest, coop: str, filters: Query[ReopenFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LEDGER_VIEW)
    if filters.status and filters.status not in ReopenStatus.values:
        raise ValidationError.for_field("status", "Status harus 'menunggu' atau 'disetujui'.")
    qs = PeriodReopenRequest.objects.filter(cooperative=cooperative).select_related(
        "period", "requested_by", "approved_by"
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(
        qs.order_by("-requested_at", "-id"), limit=filters.limit, offset=filters.offset, to_item=_request_out
    )


@router.post(
    "/{coop}/period-reopen-requests/{request_id}/approve",
    response=ReopenRequestOut,
    summary="Setujui pembukaan kembali periode (pihak lain dari ketua/pengawas)",
)
def period_reopen_approve(request: HttpRequest, coop: str, request_id: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.PERIOD_REOPEN)
    req = selectors.reopen_request_get(cooperative=cooperative, request_id=request_id)
    services.period_reopen_approve(cooperative=cooperative, request=req, actor=request.user)
    return _request_out(selectors.reopen_request_get(cooperative=cooperative, request_id=request_id))
