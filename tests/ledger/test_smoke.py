import datetime

from koperasi.ledger import selectors
from koperasi.ledger.verify import ledger_verify

D = datetime.date


def test_post_and_trial_balance(coop, post):
    post(coop, D(2026, 1, 5), [("1-1100", 1_000_000, 0), ("3-1100", 0, 1_000_000)])
    post(coop, D(2026, 1, 20), [("5-2200", 150_000, 0), ("1-1100", 0, 150_000)])
    tb = selectors.trial_balance(cooperative=coop, as_of=D(2026, 1, 31))
    assert [(r.account.code, r.debit, r.credit) for r in tb.rows] == [
        ("1-1100", 850_000, 0),
        ("3-1100", 0, 1_000_000),
        ("5-2200", 150_000, 0),
    ]
    result = ledger_verify(cooperative=coop)
    assert result.ok, result.problems
    assert result.entries_checked == 2
