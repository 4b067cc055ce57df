"""The hash chain of a cooperative's journal (DESIGN.md §6: tamper evidence).

Each posted entry stores ``hash = sha256(canonical content + prev_hash)``. The content is
everything that gives the entry its meaning: cooperative, number, date, memo, source,
the entry it reverses, and every line (account id, debit, credit, business unit, member).
Changing any of it, or removing an entry, breaks the chain from that entry on.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence

GENESIS = ""  # prev_hash of a cooperative's first entry

LineKey = tuple[int, int, int, int, int]  # account_id, debit, credit, unit_id (0 none), member_id (0 none)


def entry_hash(
    *,
    cooperative_id: int,
    seq: int,
    date: datetime.date,
    memo: str,
    source_type: str,
    source_id: str,
    reverses_id: int | None,
    lines: Iterable[Sequence[int]],
    prev_hash: str,
) -> str:
    """Return the hex SHA-256 of an entry's canonical content chained to ``prev_hash``."""
    content = {
        "coop": cooperative_id,
        "seq": seq,
        "date": date.isoformat(),
        "memo": memo,
        "source": [source_type, source_id],
        "reverses": reverses_id,
        "lines": [list(line) for line in lines],
        "prev": prev_hash,
    }
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
