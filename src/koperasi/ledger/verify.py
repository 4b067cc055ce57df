"""Check a cooperative's books end to end: every entry, the hash chain, the balance tables.

Used by ``manage.py ledger_verify``, ``GET /coops/{coop}/ledger/verify`` and, after every
test that posts, by the test suite's autouse fixture (DESIGN.md §10).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from koperasi.cooperatives.models import Cooperative
from koperasi.ledger.hashing import GENESIS, entry_hash
from koperasi.ledger.models import AccountDayTotal, AccountMonthTotal, JournalEntry, JournalLine, LedgerHead

CHUNK = 5000
MAX_PROBLEMS = 50


@dataclass
class VerifyResult:
    cooperative: str
    entries_checked: int = 0
    lines_checked: int = 0
    problems: list[str] = field(default_factory=list)
    first_broken_seq: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, message: str, seq: int | None = None) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        if seq is not None and self.first_broken_seq is None:
            self.first_broken_seq = seq


def ledger_verify(*, cooperative: Cooperative) -> VerifyResult:
    """Recompute every posted entry's balance and hash, the chain, the head and the balance tables.

    Reads lines in chunks, so memory grows with the number of (account, unit, day)
    totals, not with the number of lines.
    """
    result = VerifyResult(cooperative=cooperative.code)
    lines = (
        JournalLine.objects.filter(cooperative=cooperative, entry__is_posted=True)
        .order_by("entry__seq", "id")
        .values_list("entry_id", "account_id", "debit", "credit", "business_unit_id", "date", "member_id")
        .iterator(chunk_size=CHUNK)
    )
    pending_line = next(lines, None)
    day_sums: dict[tuple[int, int, datetime.date], list[int]] = defaultdict(lambda: [0, 0])
    expected_seq, prev_hash = 1, GENESIS
    entries = (
        JournalEntry.objects.filter(cooperative=cooperative, is_posted=True)
        .order_by("seq")
        .values_list(
            "id", "seq", "date", "memo", "source_type", "source_id", "reverses_id", "amount", "prev_hash", "hash"
        )
        .iterator(chunk_size=CHUNK)
    )
    for entry_id, seq, date, memo, source_type, source_id, reverses_id, amount, stored_prev, stored_hash in entries:
        number = f"JU-{seq:06d}"
        own: list[tuple[int, int, int, int, int]] = []
        while pending_line is not None and pending_line[0] == entry_id:
            _, account_id, debit, credit, unit_id, line_date, member_id = pending_line
            own.append((account_id, debit, credit, unit_id or 0, member_id or 0))
            sums = day_sums[(account_id, unit_id or 0, line_date)]
            sums[0] += debit
            sums[1] += credit
            if line_date != date:
                result.add(f"{number}: tanggal baris berbeda dengan tanggal jurnal.", seq)
            pending_line = next(lines, None)
        result.entries_checked += 1
        result.lines_checked += len(own)
        if seq != expected_seq:
            result.add(f"{number}: nomor urut melompat (seharusnya JU-{expected_seq:06d}).", seq)
        if len(own) < 2:
            result.add(f"{number}: jurnal memiliki kurang dari dua baris.", seq)
        debit_sum = sum(line[1] for line in own)
        credit_sum = sum(line[2] for line in own)
        if debit_sum != credit_sum or debit_sum != amount:
            result.add(f"{number}: tidak seimbang (debit {debit_sum}, kredit {credit_sum}, jumlah {amount}).", seq)
        if any((d > 0) == (c > 0) or d < 0 or c < 0 for _, d, c, _, _ in own):
            result.add(f"{number}: baris harus berisi debit atau kredit positif.", seq)
        if stored_prev != prev_hash:
            result.add(f"{number}: rantai hash terputus (hash sebelumnya tidak cocok).", seq)
        recomputed = entry_hash(
            cooperative_id=cooperative.pk,
            seq=seq,
            date=date,
            memo=memo,
            source_type=source_type,
            source_id=source_id,
            reverses_id=reverses_id,
            lines=own,
            prev_hash=stored_prev,
        )
        if recomputed != stored_hash:
            result.add(f"{number}: isi jurnal tidak cocok dengan hash-nya (data diubah).", seq)
        expected_seq, prev_hash = seq + 1, stored_hash
    if pending_line is not None:
        result.add("Ada baris jurnal tanpa jurnal terposting yang cocok.")
    head = LedgerHead.objects.filter(cooperative=cooperative).first()
    if head is None:
        result.add("Kepala buku besar (LedgerHead) tidak ada.")
    elif head.last_seq != expected_seq - 1 or head.last_hash != prev_hash:
        result.add(f"Kepala buku besar menunjuk JU-{head.last_seq:06d}, jurnal terakhir JU-{expected_seq - 1:06d}.")
    if JournalEntry.objects.filter(cooperative=cooperative, is_posted=False).exists():
        result.add("Ada jurnal draf yang tidak pernah diposting.")
    _check_totals(cooperative, day_sums, result)
    return result


def _check_totals(
    cooperative: Cooperative, day_sums: dict[tuple[int, int, datetime.date], list[int]], result: VerifyResult
) -> None:
    stored_days = {
        (account_id, unit_id, date): [debit, credit]
        for account_id, unit_id, date, debit, credit in AccountDayTotal.objects.filter(cooperative=cooperative)
        .values_list("account_id", "unit_id", "date", "debit", "credit")
        .iterator(chunk_size=CHUNK)
    }
    month_sums: dict[tuple[int, int, datetime.date], list[int]] = defaultdict(lambda: [0, 0])
    for (account_id, unit_id, date), sums in day_sums.items():
        month = date.replace(day=1)
        month_sums[(account_id, unit_id, month)][0] += sums[0]
        month_sums[(account_id, unit_id, month)][1] += sums[1]
    for key in sorted(set(stored_days) | set(day_sums), key=str):
        if stored_days.get(key, [0, 0]) != day_sums.get(key, [0, 0]):
            result.add(f"Saldo harian akun #{key[0]} tanggal {key[2]} tidak sama dengan jumlah baris jurnalnya.")
    stored_months = {
        (account_id, unit_id, month): [debit, credit]
        for account_id, unit_id, month, debit, credit in AccountMonthTotal.objects.filter(
            cooperative=cooperative
        ).values_list("account_id", "unit_id", "month", "debit", "credit")
    }
    for key in sorted(set(stored_months) | set(month_sums), key=str):
        if stored_months.get(key, [0, 0]) != month_sums.get(key, [0, 0]):
            result.add(f"Saldo bulanan akun #{key[0]} bulan {key[2]} tidak sama dengan jumlah baris jurnalnya.")
