"""The one table of which role may do which action (DESIGN.md §5).

Views and API handlers call :func:`core.access.require` with an :class:`Action` before
calling a service. A role not listed for an action may not do it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from koperasi.core.roles import Role


class Action(enum.StrEnum):
    COOP_VIEW = "coop.view"
    COOP_PROFILE_EDIT = "coop.profile.edit"
    COOP_STAGE_CHANGE = "coop.stage.change"
    COOP_USERS_VIEW = "coop.users.view"
    COOP_USERS_MANAGE = "coop.users.manage"
    COOP_GRANT_KETUA = "coop.users.grant_ketua"
    COOP_CREATE = "coop.create"
    COOP_LIST_ALL = "coop.list"
    OVERSIGHT_VIEW = "oversight.view"
    AUDIT_VIEW = "audit.view"
    LEDGER_VIEW = "ledger.view"
    JOURNAL_POST = "ledger.journal.post"
    ACCOUNTS_MANAGE = "ledger.accounts.manage"
    PERIOD_CLOSE = "ledger.period.close"
    PERIOD_REOPEN = "ledger.period.reopen"
    OPENING_BALANCE_IMPORT = "ledger.opening.import"
    MEMBERS_VIEW = "members.view"
    MEMBERS_MANAGE = "members.manage"
    MEMBER_EXIT = "members.exit"
    MEMBER_STATS_VIEW = "members.stats"
    SAVINGS_VIEW = "savings.view"
    SAVINGS_TRANSACT = "savings.transact"
    SAVINGS_SETTINGS = "savings.settings"
    SAVINGS_BATCH = "savings.batch"
    SAVINGS_CORRECT = "savings.correct"
    PORTAL_VIEW = "portal.view"
    LOANS_VIEW = "loans.view"
    LOANS_APPLY = "loans.apply"
    LOANS_APPROVE = "loans.approve"
    LOANS_DISBURSE = "loans.disburse"
    LOANS_REPAY = "loans.repay"
    LOANS_SETTINGS = "loans.settings"
    LOANS_WRITE_OFF = "loans.write_off"
    LOANS_BATCH = "loans.batch"
    SHOP_VIEW = "shop.view"
    SHOP_CATALOGUE = "shop.catalogue"
    SHOP_PURCHASE = "shop.purchase"
    SHOP_RECEIVE = "shop.receive"
    SHOP_PAY = "shop.pay"
    SHOP_SELL = "shop.sell"
    SHOP_RETURN_APPROVE = "shop.return.approve"
    SHOP_STOCK = "shop.stock"
    SHOP_STOCK_COUNT = "shop.stock.count"
    SHOP_REPORTS = "shop.reports"
    HET_MANAGE = "het.manage"
    SUBSIDY_VIEW = "subsidies.view"
    SUBSIDY_PROGRAMS = "subsidies.programs"
    SUBSIDY_REGISTER = "subsidies.register"
    SUBSIDY_REPORTS = "subsidies.reports"
    SUBSIDY_NIK_VIEW = "subsidies.nik"
    SHU_VIEW = "shu.view"
    SHU_SETTINGS = "shu.settings"
    SHU_SIMULATE = "shu.simulate"
    SHU_CLOSE = "shu.close"
    SHU_REOPEN = "shu.reopen"
    SHU_APPROVE = "shu.approve"
    SHU_PAY = "shu.pay"
    SHU_FUND_SPEND = "shu.fund_spend"


_BOARD = {Role.KETUA, Role.SEKRETARIS}
_OFFICERS = {Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA, Role.PENGAWAS, Role.MANAJER}

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.COOP_VIEW: frozenset(_OFFICERS | {Role.KASIR, Role.ANGGOTA, Role.DINAS, Role.ADMIN}),
    Action.COOP_PROFILE_EDIT: frozenset(_BOARD | {Role.ADMIN}),
    Action.COOP_STAGE_CHANGE: frozenset(_BOARD | {Role.ADMIN}),
    Action.COOP_USERS_VIEW: frozenset(_OFFICERS | {Role.ADMIN}),
    Action.COOP_USERS_MANAGE: frozenset({Role.KETUA, Role.ADMIN}),
    Action.COOP_GRANT_KETUA: frozenset({Role.ADMIN}),
    Action.COOP_CREATE: frozenset({Role.ADMIN}),
    Action.COOP_LIST_ALL: frozenset({Role.DINAS, Role.ADMIN}),
    Action.OVERSIGHT_VIEW: frozenset({Role.DINAS, Role.ADMIN}),
    Action.AUDIT_VIEW: frozenset(_OFFICERS | {Role.ADMIN}),
    # The books: officers and the Dinas read them; only the bendahara (and a hired manajer) write.
    Action.LEDGER_VIEW: frozenset(_OFFICERS | {Role.DINAS, Role.ADMIN}),
    Action.JOURNAL_POST: frozenset({Role.BENDAHARA, Role.MANAJER}),
    Action.ACCOUNTS_MANAGE: frozenset({Role.BENDAHARA}),
    Action.PERIOD_CLOSE: frozenset({Role.BENDAHARA}),
    # Reopening needs both ketua and pengawas: each may ask or approve (ledger.services).
    Action.PERIOD_REOPEN: frozenset({Role.KETUA, Role.PENGAWAS}),
    Action.OPENING_BALANCE_IMPORT: frozenset({Role.BENDAHARA}),
    # Members' personal data (NIK, address) stays inside the cooperative; the Dinas sees statistics.
    Action.MEMBERS_VIEW: frozenset(_OFFICERS | {Role.KASIR, Role.ADMIN}),
    Action.MEMBERS_MANAGE: frozenset(_OFFICERS - {Role.PENGAWAS} | {Role.KASIR}),
    # Ending a membership pays out savings: the ketua decides, the bendahara pays.
    Action.MEMBER_EXIT: frozenset({Role.KETUA, Role.BENDAHARA}),
    Action.MEMBER_STATS_VIEW: frozenset(_OFFICERS | {Role.KASIR, Role.DINAS, Role.ADMIN}),
    Action.SAVINGS_VIEW: frozenset(_OFFICERS | {Role.KASIR, Role.ADMIN}),
    # The teller: kasir at the counter, bendahara when there is no kasir.
    Action.SAVINGS_TRANSACT: frozenset({Role.KASIR, Role.BENDAHARA}),
    Action.SAVINGS_SETTINGS: frozenset({Role.KETUA, Role.BENDAHARA}),
    Action.SAVINGS_BATCH: frozenset({Role.BENDAHARA}),
    # A wrong deposit is cancelled by the bendahara, not by the kasir who typed it.
    Action.SAVINGS_CORRECT: frozenset({Role.BENDAHARA}),
    # A member's own portal; the views also check that the member record is the user's.
    Action.PORTAL_VIEW: frozenset({Role.ANGGOTA}),
    # Loans (the USP). Who approves depends on the amount (loans.services: bendahara up to
    # the limit, ketua + pengawas above it), so the approve action admits all three.
    Action.LOANS_VIEW: frozenset(_OFFICERS | {Role.KASIR, Role.ADMIN}),
    Action.LOANS_APPLY: frozenset({Role.KASIR, Role.BENDAHARA, Role.MANAJER}),
    Action.LOANS_APPROVE: frozenset({Role.BENDAHARA, Role.KETUA, Role.PENGAWAS}),
    Action.LOANS_DISBURSE: frozenset({Role.BENDAHARA, Role.KASIR}),
    Action.LOANS_REPAY: frozenset({Role.KASIR, Role.BENDAHARA}),
    Action.LOANS_SETTINGS: frozenset({Role.KETUA, Role.BENDAHARA}),
    # Hapus buku needs both ketua and pengawas: one proposes, the other approves (loans.services).
    Action.LOANS_WRITE_OFF: frozenset({Role.KETUA, Role.PENGAWAS}),
    Action.LOANS_BATCH: frozenset({Role.BENDAHARA}),
    # The gerai and gudang. The kasir sells and receives goods; the bendahara or a hired manajer
    # buys, prices and pays; a return is approved by someone other than the kasir (shop.services).
    Action.SHOP_VIEW: frozenset(_OFFICERS | {Role.KASIR, Role.ADMIN}),
    Action.SHOP_CATALOGUE: frozenset({Role.KETUA, Role.BENDAHARA, Role.MANAJER}),
    Action.SHOP_PURCHASE: frozenset({Role.BENDAHARA, Role.MANAJER}),
    Action.SHOP_RECEIVE: frozenset({Role.BENDAHARA, Role.MANAJER, Role.KASIR}),
    Action.SHOP_PAY: frozenset({Role.BENDAHARA}),
    Action.SHOP_SELL: frozenset({Role.KASIR, Role.BENDAHARA, Role.MANAJER}),
    Action.SHOP_RETURN_APPROVE: frozenset({Role.KETUA, Role.BENDAHARA, Role.MANAJER}),
    Action.SHOP_STOCK: frozenset({Role.BENDAHARA, Role.MANAJER, Role.KASIR}),
    Action.SHOP_STOCK_COUNT: frozenset({Role.BENDAHARA, Role.MANAJER}),
    Action.SHOP_REPORTS: frozenset(_OFFICERS | {Role.ADMIN}),
    # HET is set by government; the Dinas (or the administrator) keeps the table current.
    Action.HET_MANAGE: frozenset({Role.DINAS, Role.ADMIN}),
    # Subsidised goods. The kasir registers households at the counter and sells; the programme
    # (price, quotas, allocation) is set by those who answer to the partner. Full NIK/KK numbers
    # are shown only to ketua, bendahara and manajer (who report to the partner), each view
    # audited; everyone else sees 6471••••••••0001 (domain.md §7, DESIGN.md §5).
    Action.SUBSIDY_VIEW: frozenset(_OFFICERS | {Role.KASIR, Role.ADMIN}),
    Action.SUBSIDY_PROGRAMS: frozenset({Role.KETUA, Role.BENDAHARA, Role.MANAJER}),
    Action.SUBSIDY_REGISTER: frozenset({Role.KASIR, Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA, Role.MANAJER}),
    Action.SUBSIDY_REPORTS: frozenset(_OFFICERS | {Role.ADMIN}),
    Action.SUBSIDY_NIK_VIEW: frozenset({Role.KETUA, Role.BENDAHARA, Role.MANAJER}),
    # Year-end close and SHU (domain.md §2). The officers read it (the pengawas checks it); the
    # bendahara closes the books and pays; pengurus prepare the RAT proposal with simulations;
    # the RAT's decision is recorded by the ketua or sekretaris (or the bendahara who posts it).
    # Reopening a closed year needs both ketua and pengawas (shu.services).
    Action.SHU_VIEW: frozenset(_OFFICERS | {Role.ADMIN}),
    Action.SHU_SETTINGS: frozenset({Role.KETUA, Role.BENDAHARA}),
    Action.SHU_SIMULATE: frozenset({Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA, Role.PENGAWAS, Role.MANAJER}),
    Action.SHU_CLOSE: frozenset({Role.BENDAHARA}),
    Action.SHU_REOPEN: frozenset({Role.KETUA, Role.PENGAWAS}),
    Action.SHU_APPROVE: frozenset({Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA}),
    Action.SHU_PAY: frozenset({Role.BENDAHARA, Role.KASIR}),
    # Spending a fund is the treasurer's decision on the board's behalf, not a cashier's.
    Action.SHU_FUND_SPEND: frozenset({Role.BENDAHARA}),
}


def can(roles: Iterable[Role | str], action: Action) -> bool:
    """Return whether any of ``roles`` may perform ``action``."""
    allowed = PERMISSIONS[action]
    return any(Role(r) in allowed for r in roles)
