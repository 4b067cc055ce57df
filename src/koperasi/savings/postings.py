"""Pure: a savings event -> the journal lines that book it (domain.md §1.2, §8.2).

Accounts are named by their chart role (``ByRole``), so a cooperative that renumbers or
reclassifies its savings accounts (equity ↔ liability, domain.md §1.2) needs no change
here. Every savings line carries the member: the ledger is the control account, the
members' lines its sub-ledger.
"""

from __future__ import annotations

from collections.abc import Sequence

from koperasi.core.money import Rupiah
from koperasi.ledger.services import ByRole, LineInput
from koperasi.savings.calculations import ExitQuote
from koperasi.savings.choices import CHANNEL_ROLE, LEDGER_ROLE, Channel, SavingsKind

INTEREST_EXPENSE_ROLE = "savings_interest_expense"


def deposit_lines(*, kind: str, channel: str, amount: Rupiah, member_id: int) -> list[LineInput]:
    """Cash (or bank) in, the member's savings up."""
    return [
        LineInput(account=ByRole(CHANNEL_ROLE[Channel(channel)]), debit=amount),
        LineInput(account=ByRole(LEDGER_ROLE[SavingsKind(kind)]), credit=amount, member_id=member_id),
    ]


def credit_lines(*, kind: str, amount: Rupiah, member_id: int) -> list[LineInput]:
    """The member's savings up; the caller supplies the other side (a loan, the SHU payable)."""
    return [LineInput(account=ByRole(LEDGER_ROLE[SavingsKind(kind)]), credit=amount, member_id=member_id)]


def withdrawal_lines(*, kind: str, channel: str, amount: Rupiah, member_id: int) -> list[LineInput]:
    """The member's savings down, cash (or bank) out."""
    return [
        LineInput(account=ByRole(LEDGER_ROLE[SavingsKind(kind)]), debit=amount, member_id=member_id),
        LineInput(account=ByRole(CHANNEL_ROLE[Channel(channel)]), credit=amount),
    ]


def interest_lines(credits: Sequence[tuple[int, Rupiah]]) -> list[LineInput]:
    """One expense line for the total, one sukarela line per member ``(member_id, amount)``."""
    total = sum(amount for _, amount in credits)
    lines = [LineInput(account=ByRole(INTEREST_EXPENSE_ROLE), debit=total)]
    lines.extend(
        LineInput(account=ByRole(LEDGER_ROLE[SavingsKind.SUKARELA]), credit=amount, member_id=member_id)
        for member_id, amount in credits
        if amount > 0
    )
    return lines


def exit_lines(*, quote: ExitQuote, channel: str, member_id: int) -> list[LineInput]:
    """Every savings balance out; obligations offset; the rest paid in cash (or by bank)."""
    lines = [
        LineInput(account=ByRole(LEDGER_ROLE[SavingsKind(kind)]), debit=balance, member_id=member_id)
        for kind, balance in quote.balances.items()
        if balance > 0
    ]
    lines.extend(
        LineInput(account=ByRole(o.ledger_role), credit=o.amount, member_id=member_id, memo=o.label)
        for o in quote.obligations
        if not o.blocks_exit and o.amount > 0
    )
    if quote.net_payout > 0:
        lines.append(LineInput(account=ByRole(CHANNEL_ROLE[Channel(channel)]), credit=quote.net_payout))
    return lines
