"""Pure: a loan event -> the journal lines that book it (domain.md §4, §8.2; ADR 0004).

Cash basis: interest, fees and penalties are income when received, in the member or the
non-member account (``choices.INCOME_ROLE``), so the SHU can split them. The receivable and
the allowance lines carry the member, so the loan receivable is a control account over the
members' loans. Accounts are named by chart role (``ByRole``).
"""

from __future__ import annotations

from koperasi.core.money import Rupiah
from koperasi.ledger.services import ByRole, LineInput
from koperasi.loans.choices import CHANNEL_ROLE, INCOME_ROLE

RECEIVABLE = ByRole("loan_receivable")
ALLOWANCE = ByRole("loan_allowance")
ALLOWANCE_EXPENSE = ByRole("loan_allowance_expense")
RECOVERY_INCOME = ByRole("other_income")


def _income(kind: str, is_member: bool) -> ByRole:
    return ByRole(INCOME_ROLE[(kind, is_member)])


def disbursement_lines(
    *, principal: Rupiah, fees: Rupiah, fees_deducted: bool, channel: str, is_member: bool, member_id: int
) -> list[LineInput]:
    """Receivable up by the principal; cash (or bank) out by what the member receives; fees to income.

    With ``channel="sukarela"`` the money the member receives is credited by the savings
    service, so these lines leave that credit out (``savings.services.sukarela_credit``).
    """
    lines = [LineInput(account=RECEIVABLE, debit=principal, member_id=member_id, memo="Pokok pinjaman")]
    paid_out = principal - fees if fees_deducted else principal
    if channel in CHANNEL_ROLE:
        lines.append(LineInput(account=ByRole(CHANNEL_ROLE[channel]), credit=paid_out))
        if fees and not fees_deducted:
            lines.append(LineInput(account=ByRole(CHANNEL_ROLE[channel]), debit=fees, memo="Biaya dibayar"))
    elif fees and not fees_deducted:
        raise ValueError("fees paid separately need a cash or bank channel")
    if fees:
        lines.append(LineInput(account=_income("fee", is_member), credit=fees, memo="Provisi dan administrasi"))
    return lines


def repayment_lines(
    *, channel: str, principal: Rupiah, interest: Rupiah, penalty: Rupiah, is_member: bool, member_id: int
) -> list[LineInput]:
    """Cash (or bank) in; receivable down by the principal part; interest and penalty to income."""
    lines = [LineInput(account=ByRole(CHANNEL_ROLE[channel]), debit=principal + interest + penalty)]
    if principal:
        lines.append(LineInput(account=RECEIVABLE, credit=principal, member_id=member_id, memo="Pokok"))
    if interest:
        lines.append(LineInput(account=_income("interest", is_member), credit=interest, memo="Jasa pinjaman"))
    if penalty:
        lines.append(LineInput(account=_income("penalty", is_member), credit=penalty, memo="Denda"))
    return lines


def write_off_lines(*, outstanding: Rupiah, allowance_available: Rupiah, member_id: int) -> list[LineInput]:
    """Receivable out; the allowance absorbs what it holds, the expense the rest."""
    from_allowance = min(max(allowance_available, 0), outstanding)
    lines = []
    if from_allowance:
        lines.append(LineInput(account=ALLOWANCE, debit=from_allowance))
    if outstanding - from_allowance:
        lines.append(LineInput(account=ALLOWANCE_EXPENSE, debit=outstanding - from_allowance))
    lines.append(LineInput(account=RECEIVABLE, credit=outstanding, member_id=member_id, memo="Hapus buku"))
    return lines


def recovery_lines(*, channel: str, amount: Rupiah, member_id: int) -> list[LineInput]:
    """Cash in from a written-off loan; other income (the receivable is already gone)."""
    return [
        LineInput(account=ByRole(CHANNEL_ROLE[channel]), debit=amount),
        LineInput(account=RECOVERY_INCOME, credit=amount, member_id=member_id, memo="Pemulihan pinjaman hapus buku"),
    ]


def allowance_adjustment_lines(*, current: Rupiah, required: Rupiah) -> list[LineInput]:
    """Move the allowance from ``current`` to ``required``: expense up (or back down) by the difference."""
    difference = required - current
    if difference > 0:
        return [
            LineInput(account=ALLOWANCE_EXPENSE, debit=difference, memo="Penyisihan PPAP"),
            LineInput(account=ALLOWANCE, credit=difference),
        ]
    if difference < 0:
        return [
            LineInput(account=ALLOWANCE, debit=-difference),
            LineInput(account=ALLOWANCE_EXPENSE, credit=-difference, memo="Pengurangan PPAP"),
        ]
    return []
