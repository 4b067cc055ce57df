"""Printed loan documents and the member's view of their loans.

- ``receipt_build``: what the receipt (bukti) of one loan transaction shows (pure).
- ``schedule_get``: the schedule (jadwal angsuran) of a loan: its instalment rows once it
  is disbursed; before that, the schedule its terms would give if paid out on
  ``max(today, applied_on)``, marked as a simulation.
- ``instalment_lines``: each instalment with what is paid, the penalty and its status on a
  day (pure).
- ``statement_get``: the loan statement (rekening koran pinjaman): every transaction with
  the running outstanding principal, the instalments, and the payoff quote of the day.
- ``member_loan_summaries``: a member's loans with their outstanding principal, next due
  date and days past due, in two queries whatever their number.

Penalties run up since they were last charged (``selectors.penalties_pending``) count as
owed, as a payment on that day would charge them; amounts are whole rupiah.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.utils.translation import gettext_lazy as _

from koperasi.cooperatives.models import Cooperative
from koperasi.core.money import Rupiah
from koperasi.loans import calculations, selectors
from koperasi.loans.choices import DisbursementChannel, LoanStatus, LoanTxnType
from koperasi.loans.models import Loan, LoanInstallment, LoanTransaction
from koperasi.members.models import Member
from koperasi.savings.documents import terbilang

# --- Receipt ------------------------------------------------------------------------------------
RECEIPT_TITLES = {
    LoanTxnType.PENCAIRAN: _("BUKTI PENCAIRAN PINJAMAN"),
    LoanTxnType.ANGSURAN: _("BUKTI PEMBAYARAN ANGSURAN"),
    LoanTxnType.PELUNASAN: _("BUKTI PELUNASAN PINJAMAN"),
    LoanTxnType.HAPUS_BUKU: _("BUKTI HAPUS BUKU PINJAMAN"),
    LoanTxnType.PEMULIHAN: _("BUKTI PENERIMAAN PINJAMAN HAPUS BUKU"),
}
PAID_IN = (LoanTxnType.ANGSURAN, LoanTxnType.PELUNASAN, LoanTxnType.PEMULIHAN)


@dataclass(frozen=True)
class LoanReceipt:
    """What a loan receipt shows besides the transaction's own fields."""

    txn: LoanTransaction
    loan: Loan
    member: Member
    number: str  # the journal entry number: JU-000123
    title: str
    amount: Rupiah  # the money that moved; a write-off: the principal written off
    amount_words: str
    channel: str  # "Tunai", "Transfer bank (ref. 123)", "" for a write-off
    teller: str  # who recorded it, or "" for the system
    is_credit: bool  # money paid in by the member (repayment, payoff, recovery)
    has_signatures: bool  # money changed hands (not a write-off)
    installments: list[int]  # the instalment numbers a repayment paid
    fees_deducted: bool  # disbursement: fees taken from the amount paid out


def _person(user: object | None) -> str:
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "username", ""))


def channel_text(txn: LoanTransaction) -> str:
    """``Tunai``, ``Transfer bank (ref. 123)``, ``Ke simpanan sukarela``; empty for a write-off."""
    if not txn.channel:
        return ""
    labels = dict(DisbursementChannel.choices)
    text = str(labels.get(txn.channel, txn.channel))
    if txn.reference:
        text += f" (ref. {txn.reference})"
    return text


def receipt_build(txn: LoanTransaction) -> LoanReceipt:
    """Return the receipt of a transaction fetched with its loan, member, entry and teller."""
    amount = txn.principal if txn.type == LoanTxnType.HAPUS_BUKU else txn.amount
    return LoanReceipt(
        txn=txn,
        loan=txn.loan,
        member=txn.loan.member,
        number=txn.journal_entry.number,
        title=str(RECEIPT_TITLES.get(LoanTxnType(txn.type), txn.get_type_display())),
        amount=amount,
        amount_words=terbilang(amount),
        channel=channel_text(txn),
        teller=_person(txn.created_by),
        is_credit=txn.type in PAID_IN,
        has_signatures=txn.type != LoanTxnType.HAPUS_BUKU,
        installments=sorted(int(a["no"]) for a in (txn.allocation or []) if isinstance(a, dict) and "no" in a),
        fees_deducted=txn.loan.fees_deducted,
    )


# --- Instalments with their status ---------------------------------------------------------------
class InstallmentStatus:
    """The state of one instalment on a day (``InstallmentLine.status``)."""

    PAID = "lunas"
    OVERDUE = "terlambat"
    DUE_TODAY = "jatuh_tempo"
    PARTLY = "sebagian"
    UPCOMING = "belum"
    WRITTEN_OFF = "hapus_buku"


STATUS_LABELS = {
    InstallmentStatus.PAID: _("Lunas"),
    InstallmentStatus.OVERDUE: _("Terlambat"),
    InstallmentStatus.DUE_TODAY: _("Jatuh tempo hari ini"),
    InstallmentStatus.PARTLY: _("Dibayar sebagian"),
    InstallmentStatus.UPCOMING: _("Belum jatuh tempo"),
    InstallmentStatus.WRITTEN_OFF: _("Dihapusbukukan"),
}


@dataclass(frozen=True)
class InstallmentLine:
    """One instalment of a disbursed loan on ``day``: what it asks, what is paid, what is left."""

    no: int
    due_date: datetime.date
    principal: Rupiah
    interest: Rupiah
    balance: Rupiah  # principal still owed by the schedule after this instalment
    paid: Rupiah  # principal + interest paid
    interest_waived: Rupiah  # later interest not charged at an early payoff
    penalty: Rupiah  # charged so far plus what has run up to ``day``
    penalty_paid: Rupiah
    left: Rupiah  # principal + interest + penalty still owed
    status: str
    days_late: int  # days past the due date, while unpaid
    settled_on: datetime.date | None

    @property
    def installment(self) -> Rupiah:
        return self.principal + self.interest

    @property
    def status_label(self) -> str:
        label = str(STATUS_LABELS[self.status])
        if self.status == InstallmentStatus.OVERDUE and self.paid:
            label += " · " + str(_("dibayar sebagian"))
        return label


def _status(loan: Loan, row: LoanInstallment, day: datetime.date) -> str:
    if row.settled:
        return InstallmentStatus.PAID
    if loan.status == LoanStatus.WRITTEN_OFF:
        return InstallmentStatus.WRITTEN_OFF
    if row.due_date < day:
        return InstallmentStatus.OVERDUE
    if row.due_date == day:
        return InstallmentStatus.DUE_TODAY
    if row.principal_paid or row.interest_paid:
        return InstallmentStatus.PARTLY
    return InstallmentStatus.UPCOMING


def instalment_lines(loan: Loan, rows: list[LoanInstallment], day: datetime.date) -> list[InstallmentLine]:
    """Return each instalment of ``loan`` (its rows in order) as it stands on ``day``."""
    pending = selectors.penalties_pending(loan=loan, rows=rows, day=day) if loan.status == LoanStatus.ACTIVE else {}
    lines = []
    balance = loan.principal
    for row in rows:
        balance -= row.principal_due
        penalty = row.penalty_accrued + pending.get(row.no, 0)
        left_due = row.principal_due - row.principal_paid + row.interest_due - row.interest_paid - row.interest_waived
        status = _status(loan, row, day)
        lines.append(
            InstallmentLine(
                no=row.no,
                due_date=row.due_date,
                principal=row.principal_due,
                interest=row.interest_due,
                balance=balance,
                paid=row.principal_paid + row.interest_paid,
                interest_waived=row.interest_waived,
                penalty=penalty,
                penalty_paid=row.penalty_paid,
                left=left_due + penalty - row.penalty_paid if status != InstallmentStatus.WRITTEN_OFF else 0,
                status=status,
                days_late=(day - row.due_date).days if status == InstallmentStatus.OVERDUE else 0,
                settled_on=row.settled_on,
            )
        )
    return lines


# --- Schedule -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoanSchedule:
    """The schedule of a loan, real (disbursed) or simulated (not yet disbursed)."""

    loan: Loan
    simulated: bool
    start: datetime.date  # the disbursement date, or the date the simulation pays it out
    lines: list[InstallmentLine]  # a simulation's lines have no payments and status "belum"
    total_principal: Rupiah
    total_interest: Rupiah
    total_installment: Rupiah
    fees: Rupiah  # admin + provision
    received: Rupiah  # what the member receives: the principal less fees taken from it

    @property
    def first_due(self) -> datetime.date | None:
        return self.lines[0].due_date if self.lines else None

    @property
    def last_due(self) -> datetime.date | None:
        return self.lines[-1].due_date if self.lines else None


def _simulated_lines(loan: Loan, start: datetime.date) -> list[InstallmentLine]:
    rows = calculations.loan_schedule(
        principal=loan.principal,
        rate_pa=loan.rate_pa,
        term_months=loan.term_months,
        method=loan.method,
        disbursed_on=start,
    )
    return [
        InstallmentLine(
            no=r.no,
            due_date=r.due_date,
            principal=r.principal,
            interest=r.interest,
            balance=r.balance,
            paid=0,
            interest_waived=0,
            penalty=0,
            penalty_paid=0,
            left=r.installment,
            status=InstallmentStatus.UPCOMING,
            days_late=0,
            settled_on=None,
        )
        for r in rows
    ]


def is_disbursed(loan: Loan) -> bool:
    return loan.disbursed_on is not None


def schedule_get(*, loan: Loan, today: datetime.date, rows: list[LoanInstallment] | None = None) -> LoanSchedule:
    """Return the loan's schedule (one query once disbursed, none for a simulation)."""
    if loan.disbursed_on is not None:
        start, simulated = loan.disbursed_on, False
        lines = instalment_lines(loan, rows if rows is not None else selectors.loan_installments(loan=loan), today)
    else:
        start, simulated = max(today, loan.applied_on), True
        lines = _simulated_lines(loan, start)
    fees = loan.admin_fee + loan.provision_fee
    return LoanSchedule(
        loan=loan,
        simulated=simulated,
        start=start,
        lines=lines,
        total_principal=sum(line.principal for line in lines),
        total_interest=sum(line.interest for line in lines),
        total_installment=sum(line.installment for line in lines),
        fees=fees,
        received=loan.principal - fees if loan.fees_deducted else loan.principal,
    )


# --- Statement ----------------------------------------------------------------------------------
STATEMENT_MAX_ROWS = 1000  # far more than a monthly loan ever has; WeasyPrint lays out a few hundred a second


@dataclass(frozen=True)
class StatementRow:
    txn_id: int
    date: datetime.date
    number: str  # receipt number = journal entry number
    type: str
    description: str  # "Angsuran · Tunai", "Pencairan · Transfer bank (ref. 1)"
    disbursed: Rupiah  # principal lent (disbursement)
    fees: Rupiah  # fees of the disbursement
    paid: Rupiah  # money the member paid in (repayment, payoff, recovery)
    penalty: Rupiah
    interest: Rupiah
    principal: Rupiah  # principal repaid
    written_off: Rupiah  # principal written off (hapus buku)
    outstanding: Rupiah  # running outstanding principal after this row


@dataclass(frozen=True)
class LoanStatement:
    loan: Loan
    day: datetime.date
    rows: list[StatementRow]
    lines: list[InstallmentLine]
    position: selectors.LoanPosition | None  # active loans: days past due, due now, payoff quote
    total_disbursed: Rupiah
    total_paid: Rupiah
    total_penalty_paid: Rupiah
    total_interest_paid: Rupiah
    total_principal_paid: Rupiah
    total_written_off: Rupiah
    penalty_charged: Rupiah  # charged so far plus what has run up to ``day``
    outstanding: Rupiah  # the running outstanding after the last row (= loan.outstanding_principal)
    rows_omitted: int  # older rows left out past STATEMENT_MAX_ROWS
    opening: Rupiah  # the outstanding principal before the first row listed

    @property
    def total_installment(self) -> Rupiah:
        return sum(line.installment for line in self.lines)

    @property
    def total_left(self) -> Rupiah:
        return sum(line.left for line in self.lines)

    @property
    def total_line_paid(self) -> Rupiah:
        return sum(line.paid for line in self.lines)


def statement_row(txn: LoanTransaction, outstanding: int) -> StatementRow:
    """Return one transaction as a statement row with ``outstanding`` after it."""
    description = str(txn.get_type_display())
    channel = channel_text(txn)
    if channel:
        description += f" · {channel}"
    kind = txn.type
    return StatementRow(
        txn_id=txn.pk,
        date=txn.date,
        number=txn.journal_entry.number,
        type=kind,
        description=description,
        disbursed=txn.principal if kind == LoanTxnType.PENCAIRAN else 0,
        fees=txn.fees,
        paid=txn.amount if kind in PAID_IN else 0,
        penalty=txn.penalty,
        interest=txn.interest,
        principal=txn.principal if kind in (LoanTxnType.ANGSURAN, LoanTxnType.PELUNASAN) else 0,
        written_off=txn.principal if kind == LoanTxnType.HAPUS_BUKU else 0,
        outstanding=outstanding,
    )


def statement_get(*, loan: Loan, today: datetime.date) -> LoanStatement:
    """Return the loan statement on ``today``: transactions by date with the running outstanding principal.

    Three queries for an active loan (transactions, instalments, the settings in force);
    the totals are over every transaction, also those left out past ``STATEMENT_MAX_ROWS``.
    """
    rows = []
    outstanding = 0
    for txn in selectors.loan_transactions(loan=loan).order_by("date", "pk"):
        row = statement_row(txn, 0)
        outstanding += row.disbursed - row.principal - row.written_off
        rows.append(replace(row, outstanding=outstanding))
    omitted = max(0, len(rows) - STATEMENT_MAX_ROWS)
    installments = selectors.loan_installments(loan=loan) if is_disbursed(loan) else []
    lines = instalment_lines(loan, installments, today)
    active = loan.status == LoanStatus.ACTIVE
    return LoanStatement(
        loan=loan,
        day=today,
        rows=rows[omitted:],
        lines=lines,
        position=selectors.loan_position(loan=loan, day=today, rows=installments) if active else None,
        total_disbursed=sum(r.disbursed for r in rows),
        total_paid=sum(r.paid for r in rows),
        total_penalty_paid=sum(r.penalty for r in rows),
        total_interest_paid=sum(r.interest for r in rows),
        total_principal_paid=sum(r.principal for r in rows),
        total_written_off=sum(r.written_off for r in rows),
        penalty_charged=sum(line.penalty for line in lines),
        outstanding=outstanding,
        rows_omitted=omitted,
        opening=rows[omitted - 1].outstanding if omitted else 0,
    )


# --- A member's loans ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LoanSummary:
    """One of a member's loans as the portal lists it, on ``day``."""

    loan: Loan
    days_past_due: int
    overdue: Rupiah  # principal + interest + penalty of instalments due before ``day``
    due_now: Rupiah  # ``overdue`` plus what falls due on ``day``
    next_due_date: datetime.date | None  # the next instalment after ``day`` with something left
    next_installment: Rupiah


def _summary(loan: Loan, rows: list[LoanInstallment], day: datetime.date) -> LoanSummary:
    if loan.status != LoanStatus.ACTIVE:
        return LoanSummary(loan, 0, 0, 0, None, 0)
    lines = instalment_lines(loan, rows, day)
    upcoming = [line for line in lines if line.due_date > day and line.left > 0]
    states = selectors.installment_states(rows)
    return LoanSummary(
        loan=loan,
        days_past_due=calculations.days_past_due(states, day),
        overdue=sum(line.left for line in lines if line.due_date < day),
        due_now=sum(line.left for line in lines if line.due_date <= day),
        next_due_date=upcoming[0].due_date if upcoming else None,
        next_installment=upcoming[0].left if upcoming else 0,
    )


def member_loan_summaries(*, cooperative: Cooperative, member: Member, day: datetime.date) -> list[LoanSummary]:
    """Return the member's loans, newest first, each with where it stands on ``day`` (two queries)."""
    loans = list(selectors.loan_list(cooperative=cooperative, member=member))
    by_loan: dict[int, list[LoanInstallment]] = {loan.pk: [] for loan in loans}
    active = [loan.pk for loan in loans if loan.status == LoanStatus.ACTIVE]
    if active:
        for row in LoanInstallment.objects.filter(cooperative=cooperative, loan_id__in=active).order_by(
            "loan_id", "no"
        ):
            by_loan[row.loan_id].append(row)
    return [_summary(loan, by_loan[loan.pk], day) for loan in loans]
