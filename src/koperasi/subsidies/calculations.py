"""Pure quota arithmetic: rule windows, what remains, and which rule refuses a purchase (no database).

A rule counts what one NIK (or one KK) bought of a programme's product in a window: this
purchase only, the calendar day, the ISO week (Monday–Sunday) or the calendar month that
contains the sale's date. A backdated sale is counted in its own day's windows.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from koperasi.subsidies.choices import RulePer, RulePeriod

PERIOD_NOW = {
    RulePeriod.PURCHASE: "pembelian ini",
    RulePeriod.DAY: "hari ini",
    RulePeriod.WEEK: "minggu ini",
    RulePeriod.MONTH: "bulan ini",
}
PERIOD_EACH = {
    RulePeriod.PURCHASE: "per pembelian",
    RulePeriod.DAY: "per hari",
    RulePeriod.WEEK: "per minggu",
    RulePeriod.MONTH: "per bulan",
}
PERIOD_NEXT = {
    RulePeriod.DAY: "besok",
    RulePeriod.WEEK: "mulai Senin depan",
    RulePeriod.MONTH: "mulai tanggal 1 bulan depan",
}
PER_LABEL = {RulePer.NIK: "NIK", RulePer.KK: "KK"}


@dataclass(frozen=True)
class Rule:
    per: str  # RulePer
    period: str  # RulePeriod
    max_qty: int | None = None
    max_purchases: int | None = None

    def describe(self, unit: str) -> str:
        """``10 tabung per KK per bulan`` / ``1 kali pembelian per NIK per hari``."""
        parts = []
        if self.max_qty is not None:
            parts.append(f"{self.max_qty} {unit}")
        if self.max_purchases is not None:
            parts.append(f"{self.max_purchases} kali pembelian")
        return f"{' dan '.join(parts)} per {PER_LABEL[RulePer(self.per)]} {PERIOD_EACH[RulePeriod(self.period)]}"


@dataclass(frozen=True)
class Used:
    """What one NIK or KK already bought in one rule's window (net of returns)."""

    qty: int = 0
    purchases: int = 0


@dataclass(frozen=True)
class RuleUsage:
    rule: Rule
    window_start: datetime.date | None  # None: this purchase only
    window_end: datetime.date | None
    used_qty: int
    used_purchases: int

    @property
    def remaining_qty(self) -> int | None:
        """Units this rule still allows; None when it limits only the number of purchases."""
        if self.rule.max_qty is None:
            return None
        return max(self.rule.max_qty - self.used_qty, 0)

    @property
    def remaining_purchases(self) -> int | None:
        if self.rule.max_purchases is None:
            return None
        return max(self.rule.max_purchases - self.used_purchases, 0)

    @property
    def remaining(self) -> int | None:
        """Units this rule still allows in one purchase: 0 once its purchases are used up."""
        if self.remaining_purchases == 0:
            return 0
        return self.remaining_qty


def window(period: str, day: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """Return the first and last day of the window containing ``day``; None for a single purchase."""
    if period == RulePeriod.PURCHASE:
        return None
    if period == RulePeriod.DAY:
        return day, day
    if period == RulePeriod.WEEK:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    if period == RulePeriod.MONTH:
        start = day.replace(day=1)
        following = (start + datetime.timedelta(days=32)).replace(day=1)
        return start, following - datetime.timedelta(days=1)
    raise ValueError(f"unknown period {period!r}")


def span(rules: Sequence[Rule], day: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """Return the smallest date range covering every rule's window on ``day`` (None if all are per purchase)."""
    windows = [w for w in (window(r.period, day) for r in rules) if w is not None]
    if not windows:
        return None
    return min(w[0] for w in windows), max(w[1] for w in windows)


def usage(rules: Sequence[Rule], day: datetime.date, used: dict[Rule, Used]) -> list[RuleUsage]:
    """Return each rule's window and what was used in it on ``day``."""
    result = []
    for rule in rules:
        bounds = window(rule.period, day)
        got = used.get(rule, Used()) if bounds is not None else Used()
        result.append(
            RuleUsage(
                rule=rule,
                window_start=bounds[0] if bounds else None,
                window_end=bounds[1] if bounds else None,
                used_qty=got.qty,
                used_purchases=got.purchases,
            )
        )
    return result


def remaining(usages: Sequence[RuleUsage]) -> int | None:
    """Return the most one purchase may still take: the smallest over all rules (None if no rule limits units)."""
    limits = [u.remaining for u in usages if u.remaining is not None]
    return min(limits) if limits else None


def refusing_rule(usages: Sequence[RuleUsage], qty: int) -> RuleUsage | None:
    """Return the first rule that refuses buying ``qty`` now (purchase counts before quantities), or None."""
    for u in usages:
        if u.remaining_purchases == 0:
            return u
    for u in usages:
        if u.remaining_qty is not None and qty > u.remaining_qty:
            return u
    return None


def refusal_message(refused: RuleUsage, qty: int, unit: str) -> str:
    """Say which rule refuses and what remains: ``Kuota KK bulan ini tersisa 2 tabung …``."""
    rule = refused.rule
    who = PER_LABEL[RulePer(rule.per)]
    when = PERIOD_NOW[RulePeriod(rule.period)]
    limit = rule.describe(unit)
    if refused.remaining_purchases == 0:
        return (
            f"{who} ini sudah membeli {refused.used_purchases} kali {when}; "
            f"batas {limit}. Bisa membeli lagi {PERIOD_NEXT[RulePeriod(rule.period)]}."
        )
    if rule.period == RulePeriod.PURCHASE:
        return f"Paling banyak {rule.max_qty} {unit} sekali beli ({limit}); diminta {qty} {unit}."
    left = refused.remaining_qty or 0
    return f"Kuota {who} {when} tersisa {left} {unit} (batas {limit}); diminta {qty} {unit}."


def usage_summary(usages: Sequence[RuleUsage]) -> str:
    """Say what each rule's window has used: ``KK bulan ini 8 dari 10; NIK hari ini 0 dari 1 kali`` (till, portal)."""
    parts = []
    for usage in usages:
        rule = usage.rule
        who = PER_LABEL[RulePer(rule.per)]
        if rule.period == RulePeriod.PURCHASE:
            parts.append(f"sekali beli paling banyak {rule.max_qty}")
            continue
        used = []
        if rule.max_qty is not None:
            used.append(f"{usage.used_qty} dari {rule.max_qty}")
        if rule.max_purchases is not None:
            used.append(f"{usage.used_purchases} dari {rule.max_purchases} kali")
        parts.append(f"{who} {PERIOD_NOW[RulePeriod(rule.period)]} {' dan '.join(used)}")
    return "; ".join(parts)


def reaches_limit(usages: Sequence[RuleUsage], qty: int) -> bool:
    """Return whether buying ``qty`` now takes the last units some quantity rule allows.

    Purchase counts are left out: under "one purchase per NIK per day" every purchase would
    be "at the limit", and the anomaly list of buyers repeatedly at the limit would name
    every regular customer.
    """
    return any(u.remaining_qty is not None and u.remaining_qty - qty <= 0 for u in usages)
