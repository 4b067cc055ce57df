"""Printed savings documents: the receipt (bukti transaksi) and the passbook (buku simpanan).

- ``terbilang``: an amount in Indonesian words, as written on a receipt (pure).
- ``receipt_build``: what a receipt shows for one transaction (pure).
- ``passbook_get``: a member's transactions of one kind with a running balance (a read).

The passbook lists transactions by date (then by the order they were recorded) and
computes the running balance in that order from an opening balance, so every row is the
previous balance plus or minus its amount. For entries recorded in date order this equals
each transaction's ``balance_after``; a transaction recorded later with an earlier date
(back-dated) is placed on its date, where ``balance_after`` (the balance when it was
recorded, printed on its receipt) would not follow from the row above it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Sum, When

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import NotFound
from koperasi.core.money import Rupiah
from koperasi.members.models import Member
from koperasi.savings.choices import CREDIT_TYPES, Channel, SavingsKind, TxnType
from koperasi.savings.models import SavingsTransaction
from koperasi.savings.selectors import savings_transactions

# --- Terbilang ----------------------------------------------------------------------------------
_ONES = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
_SCALES = ("", "ribu", "juta", "miliar", "triliun", "kuadriliun", "kuintiliun")


def _below_thousand(n: int) -> list[str]:
    """Words of 1–999 (``seratus``, ``sebelas``, ``dua puluh satu``)."""
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [_ONES[hundreds], "ratus"]
    if rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif 12 <= rest <= 19:
        words += [_ONES[rest - 10], "belas"]
    else:
        tens, ones = divmod(rest, 10)
        if tens:
            words += [_ONES[tens], "puluh"]
        if ones:
            words.append(_ONES[ones])
    return words


def terbilang_words(amount: int) -> str:
    """Return a whole number in Indonesian words: ``1000`` -> ``seribu``, ``0`` -> ``nol``.

    Raises ValueError for a number of 10^21 or more (past kuintiliun) and TypeError for a
    non-integer.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("terbilang needs a whole number (int)")
    if amount == 0:
        return "nol"
    if amount < 0:
        return "minus " + terbilang_words(-amount)
    if amount >= 1000 ** len(_SCALES):
        raise ValueError("angka terlalu besar untuk ditulis dengan huruf")
    groups: list[int] = []
    while amount:
        amount, group = divmod(amount, 1000)
        groups.append(group)
    words: list[str] = []
    for scale in range(len(groups) - 1, -1, -1):
        group = groups[scale]
        if not group:
            continue
        if scale == 1 and group == 1:
            words.append("seribu")  # "seribu", never "satu ribu"; but "satu juta"
            continue
        words += _below_thousand(group)
        if _SCALES[scale]:
            words.append(_SCALES[scale])
    return " ".join(words)


def terbilang(amount: int) -> str:
    """Return a rupiah amount in words: ``170000`` -> ``seratus tujuh puluh ribu rupiah``.

    Raises ValueError (10^21 or more) and TypeError (not an int).
    """
    return f"{terbilang_words(amount)} rupiah"


# --- Receipt ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Receipt:
    """What a receipt (bukti transaksi) shows besides the transaction's own fields."""

    txn: SavingsTransaction
    number: str  # the journal entry number: JU-000123
    is_credit: bool  # money paid in (setoran, bunga)
    amount_words: str
    teller: str  # who recorded it, or "" for the system
    has_signatures: bool  # money changed hands at the counter or by transfer (not interest)


def _person(user: object | None) -> str:
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")()
    return str(full or getattr(user, "username", ""))


def receipt_build(txn: SavingsTransaction) -> Receipt:
    """Return the receipt of a transaction fetched with its member, entry and teller."""
    return Receipt(
        txn=txn,
        number=txn.journal_entry.number,
        is_credit=txn.type in CREDIT_TYPES,
        amount_words=terbilang(txn.amount),
        teller=_person(txn.created_by),
        has_signatures=txn.channel != Channel.SISTEM and txn.type != TxnType.BUNGA,
    )


# --- Passbook -----------------------------------------------------------------------------------
PASSBOOK_MAX_ROWS = 1000  # WeasyPrint lays out a few hundred rows a second


@dataclass(frozen=True)
class PassbookRow:
    date: datetime.date
    number: str  # receipt number = journal entry number
    description: str
    type: str
    debit: Rupiah  # taken out (penarikan, pengembalian)
    credit: Rupiah  # paid in (setoran, bunga)
    balance: Rupiah  # running balance after this row
    balance_after: Rupiah  # the balance when it was recorded (as on its receipt)
    txn_id: int


@dataclass(frozen=True)
class Passbook:
    member: Member
    kind: SavingsKind
    date_from: datetime.date | None
    date_to: datetime.date | None
    opening_balance: Rupiah | None  # the balance before the first row, when earlier rows are left out
    rows: list[PassbookRow]
    total_debit: Rupiah
    total_credit: Rupiah
    closing_balance: Rupiah
    rows_omitted: int  # older rows of the range left out past PASSBOOK_MAX_ROWS (in the opening balance)


def _description(txn: SavingsTransaction) -> str:
    """``Setoran · Tunai``, ``Penarikan · Transfer bank (ref. 123)``, interest: its memo (``Bunga 11/2026``)."""
    if txn.type == TxnType.BUNGA:
        return txn.memo or str(TxnType.BUNGA.label)
    text = str(TxnType(txn.type).label)
    if txn.channel != Channel.SISTEM:
        text += f" · {Channel(txn.channel).label}"
    if txn.reference:
        text += f" (ref. {txn.reference})"
    return text


def _signed_amount() -> Case:
    return Case(
        When(type__in=[t.value for t in CREDIT_TYPES], then=F("amount")),
        default=-F("amount"),
        output_field=IntegerField(),
    )


def passbook_get(
    *,
    cooperative: Cooperative,
    member: Member,
    kind: str,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Passbook:
    """Return the member's passbook of ``kind``, optionally from/to dates, with running balances.

    With ``date_from`` the first row is the opening balance (every transaction before that
    date). Past ``PASSBOOK_MAX_ROWS`` only the latest rows are listed and the older ones
    go into the opening balance. Two queries. Raises NotFound (unknown kind, another
    cooperative's member).
    """
    if kind not in SavingsKind.values or member.cooperative_id != cooperative.pk:
        raise NotFound("Buku simpanan tidak ditemukan.")
    txns = savings_transactions(cooperative=cooperative, member=member, kind=kind)
    opening: Rupiah | None = None
    if date_from is not None:
        opening = int(txns.filter(date__lt=date_from).order_by().aggregate(s=Sum(_signed_amount()))["s"] or 0)
        txns = txns.filter(date__gte=date_from)
    if date_to is not None:
        txns = txns.filter(date__lte=date_to)
    records = list(txns.order_by("date", "pk"))
    omitted = max(0, len(records) - PASSBOOK_MAX_ROWS)
    balance = opening or 0
    rows: list[PassbookRow] = []
    for txn in records:
        credit = txn.amount if txn.type in CREDIT_TYPES else 0
        debit = 0 if credit else txn.amount
        balance += credit - debit
        rows.append(
            PassbookRow(
                date=txn.date,
                number=txn.journal_entry.number,
                description=_description(txn),
                type=txn.type,
                debit=debit,
                credit=credit,
                balance=balance,
                balance_after=txn.balance_after,
                txn_id=txn.pk,
            )
        )
    if omitted:
        opening = rows[omitted - 1].balance
        rows = rows[omitted:]
    return Passbook(
        member=member,
        kind=SavingsKind(kind),
        date_from=date_from,
        date_to=date_to,
        opening_balance=opening,
        rows=rows,
        total_debit=sum(r.debit for r in rows),
        total_credit=sum(r.credit for r in rows),
        closing_balance=rows[-1].balance if rows else (opening or 0),
        rows_omitted=omitted,
    )
