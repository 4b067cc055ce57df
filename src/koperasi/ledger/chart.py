"""The chart-of-accounts template every new cooperative starts from (domain.md §8.2).

The codes follow the proposal in domain.md §8.2 (not a regulation: none was found).
Group rows (``group=True``) are headings; postings go to the leaf accounts. Accounts the
system posts to carry a ``role`` and are always found by it (``selectors.account_for_role``),
never by their code, so a cooperative may renumber its chart.

Simpanan pokok and wajib are equity and sukarela a liability by default (domain.md §1.2,
§11); the classification is a per-account setting, changed by the bendahara.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koperasi.ledger.choices import NORMAL_SIDE, TYPE_BY_DIGIT, CashFlowGroup, RevenueParty, Side


@dataclass(frozen=True)
class TemplateAccount:
    code: str
    name: str
    parent: str = ""
    role: str = ""
    group: bool = False
    contra: bool = False  # normal side opposite to its type (e.g. allowance for losses)
    party: str = RevenueParty.NONE
    unit: str = ""  # business unit code (cooperatives.choices.PRESCRIBED_UNITS)
    cash_flow: str = CashFlowGroup.OPERATING


_CASH = CashFlowGroup.CASH
_INV = CashFlowGroup.INVESTING
_FIN = CashFlowGroup.FINANCING
_M = RevenueParty.MEMBER
_N = RevenueParty.NON_MEMBER

CHART_TEMPLATE: tuple[TemplateAccount, ...] = (
    TemplateAccount("1", "Aset", group=True),
    TemplateAccount("1-1000", "Aset lancar", "1", group=True),
    TemplateAccount("1-1100", "Kas", "1-1000", role="cash", cash_flow=_CASH),
    TemplateAccount("1-1200", "Bank", "1-1000", role="bank", cash_flow=_CASH),
    TemplateAccount("1-1300", "Piutang pinjaman anggota", "1-1000", role="loan_receivable", unit="simpan_pinjam"),
    TemplateAccount(
        "1-1310", "Cadangan kerugian piutang (PPAP)", "1-1000", role="loan_allowance", contra=True, unit="simpan_pinjam"
    ),
    TemplateAccount("1-1400", "Piutang usaha", "1-1000", role="trade_receivable"),
    TemplateAccount("1-1500", "Persediaan barang dagangan", "1-1000", role="inventory", unit="gerai_sembako"),
    TemplateAccount("1-1600", "Biaya dibayar di muka", "1-1000", role="prepaid"),
    TemplateAccount("1-2000", "Aset tetap", "1", group=True),
    TemplateAccount("1-2100", "Tanah", "1-2000", role="land", cash_flow=_INV),
    TemplateAccount("1-2200", "Bangunan gerai dan gudang", "1-2000", role="buildings", cash_flow=_INV),
    TemplateAccount("1-2300", "Kendaraan", "1-2000", role="vehicles", cash_flow=_INV),
    TemplateAccount("1-2400", "Peralatan dan cold storage", "1-2000", role="equipment", cash_flow=_INV),
    TemplateAccount(
        "1-2900", "Akumulasi penyusutan aset tetap", "1-2000", role="accumulated_depreciation", contra=True
    ),
    TemplateAccount("2", "Kewajiban", group=True),
    TemplateAccount("2-1000", "Kewajiban jangka pendek", "2", group=True),
    TemplateAccount("2-1100", "Simpanan sukarela", "2-1000", role="savings_sukarela", cash_flow=_FIN),
    TemplateAccount("2-1200", "Simpanan berjangka", "2-1000", role="savings_berjangka", cash_flow=_FIN),
    TemplateAccount("2-1300", "Utang usaha", "2-1000", role="trade_payable"),
    TemplateAccount("2-1310", "Utang konsinyasi UMKM anggota", "2-1000", role="consignment_payable"),
    TemplateAccount("2-1400", "Dana-dana SHU belum dibayar", "2-1000", role="shu_funds_payable", cash_flow=_FIN),
    TemplateAccount("2-1500", "SHU bagian anggota belum dibayar", "2-1000", role="shu_members_payable", cash_flow=_FIN),
    TemplateAccount("2-1600", "Utang pajak", "2-1000", role="tax_payable"),
    TemplateAccount("2-2000", "Kewajiban jangka panjang", "2", group=True),
    TemplateAccount("2-2100", "Pinjaman bank Himbara", "2-2000", role="bank_loan", cash_flow=_FIN),
    TemplateAccount("2-2200", "Pinjaman LPDB", "2-2000", role="lpdb_loan", cash_flow=_FIN),
    TemplateAccount("3", "Ekuitas", group=True),
    TemplateAccount("3-1100", "Simpanan pokok", "3", role="savings_pokok", cash_flow=_FIN),
    TemplateAccount("3-1200", "Simpanan wajib", "3", role="savings_wajib", cash_flow=_FIN),
    TemplateAccount("3-1300", "Modal penyertaan", "3", role="capital_participation", cash_flow=_FIN),
    TemplateAccount("3-1400", "Hibah / donasi", "3", role="grants", cash_flow=_FIN),
    TemplateAccount("3-1500", "Cadangan", "3", role="reserve", cash_flow=_FIN),
    TemplateAccount("3-1600", "SHU tahun berjalan", "3", group=True),
    TemplateAccount("3-1610", "SHU dari anggota", "3-1600", role="shu_current_members", cash_flow=_FIN),
    TemplateAccount("3-1620", "SHU dari bukan anggota", "3-1600", role="shu_current_non_members", cash_flow=_FIN),
    TemplateAccount("4", "Pendapatan", group=True),
    TemplateAccount("4-1000", "Pendapatan dari anggota", "4", group=True, party=_M),
    TemplateAccount("4-1100", "Penjualan gerai — anggota", "4-1000", "sales_members", party=_M, unit="gerai_sembako"),
    TemplateAccount(
        "4-1200", "Jasa pinjaman — anggota", "4-1000", "loan_interest_members", party=_M, unit="simpan_pinjam"
    ),
    TemplateAccount(
        "4-1300", "Provisi dan administrasi — anggota", "4-1000", "loan_fees_members", party=_M, unit="simpan_pinjam"
    ),
    TemplateAccount(
        "4-1400", "Denda keterlambatan — anggota", "4-1000", "loan_penalty_members", party=_M, unit="simpan_pinjam"
    ),
    TemplateAccount(
        "4-1500",
        "Komisi konsinyasi — anggota",
        "4-1000",
        "consignment_commission_members",
        party=_M,
        unit="gerai_sembako",
    ),
    TemplateAccount("4-2000", "Pendapatan dari bukan anggota", "4", group=True, party=_N),
    TemplateAccount(
        "4-2100", "Penjualan gerai — bukan anggota", "4-2000", "sales_non_members", party=_N, unit="gerai_sembako"
    ),
    TemplateAccount(
        "4-2200",
        "Jasa pinjaman — bukan anggota",
        "4-2000",
        "loan_interest_non_members",
        party=_N,
        unit="simpan_pinjam",
    ),
    TemplateAccount(
        "4-2300",
        "Provisi dan administrasi — bukan anggota",
        "4-2000",
        "loan_fees_non_members",
        party=_N,
        unit="simpan_pinjam",
    ),
    TemplateAccount(
        "4-2400",
        "Denda keterlambatan — bukan anggota",
        "4-2000",
        "loan_penalty_non_members",
        party=_N,
        unit="simpan_pinjam",
    ),
    TemplateAccount(
        "4-2500",
        "Komisi konsinyasi — bukan anggota",
        "4-2000",
        "consignment_commission_non_members",
        party=_N,
        unit="gerai_sembako",
    ),
    TemplateAccount("4-3000", "Pendapatan lain", "4", group=True),
    TemplateAccount("4-3100", "Pendapatan bunga bank", "4-3000", role="bank_interest_income"),
    TemplateAccount("4-3200", "Pendapatan lain-lain", "4-3000", role="other_income"),
    TemplateAccount("5", "Beban", group=True),
    TemplateAccount("5-1000", "Harga pokok penjualan", "5", group=True),
    TemplateAccount("5-1100", "Harga pokok penjualan gerai", "5-1000", role="cogs", unit="gerai_sembako"),
    TemplateAccount("5-2000", "Beban usaha", "5", group=True),
    TemplateAccount("5-2100", "Beban gaji dan honor", "5-2000", role="salaries"),
    TemplateAccount("5-2200", "Beban listrik, air dan telepon", "5-2000", role="utilities"),
    TemplateAccount("5-2300", "Beban sewa", "5-2000", role="rent"),
    TemplateAccount("5-2400", "Beban penyusutan", "5-2000", role="depreciation"),
    TemplateAccount(
        "5-2500", "Beban penyisihan piutang (PPAP)", "5-2000", role="loan_allowance_expense", unit="simpan_pinjam"
    ),
    TemplateAccount("5-2600", "Beban jasa simpanan", "5-2000", role="savings_interest_expense"),
    TemplateAccount("5-2700", "Beban bunga pinjaman bank", "5-2000", role="bank_interest_expense"),
    TemplateAccount("5-2800", "Selisih kas dan persediaan", "5-2000", role="cash_inventory_variance"),
    TemplateAccount("5-2900", "Beban umum dan administrasi", "5-2000", role="general_admin"),
    TemplateAccount("5-3000", "Beban perkoperasian", "5", group=True),
    TemplateAccount("5-3100", "Beban RAT", "5-3000", role="rat_expense"),
    TemplateAccount("5-3200", "Beban pendidikan dan pelatihan anggota", "5-3000", role="education_expense"),
    TemplateAccount("5-4000", "Beban pajak", "5", group=True),
    TemplateAccount("5-4100", "Beban pajak", "5-4000", role="tax_expense"),
)


def _side(row: TemplateAccount) -> str:
    side = NORMAL_SIDE[TYPE_BY_DIGIT[row.code[0]]]
    if row.contra:
        return Side.CREDIT if side == Side.DEBIT else Side.DEBIT
    return side


def chart_create(*, account_model: Any, head_model: Any, unit_model: Any, cooperative_id: int) -> int:
    """Create the template chart and the ledger head for one cooperative; return accounts created.

    Takes the model classes so the data migration can call it with historical models.
    Accounts that already exist (by code) are left alone, so it can run twice.
    """
    units = dict(unit_model.objects.filter(cooperative_id=cooperative_id).values_list("code", "id"))
    existing = dict(account_model.objects.filter(cooperative_id=cooperative_id).values_list("code", "id"))
    pending = [row for row in CHART_TEMPLATE if row.code not in existing]
    created = 0
    while pending:  # one bulk insert per level of the hierarchy: parents get their ids first
        level = [row for row in pending if not row.parent or row.parent in existing]
        if not level:
            raise ValueError(f"chart template: parents missing for {[row.code for row in pending]}")
        made = account_model.objects.bulk_create(
            [
                account_model(
                    cooperative_id=cooperative_id,
                    code=row.code,
                    name=row.name,
                    type=TYPE_BY_DIGIT[row.code[0]],
                    normal_side=_side(row),
                    parent_id=existing.get(row.parent) if row.parent else None,
                    is_group=row.group,
                    role=row.role,
                    revenue_party=row.party,
                    business_unit_id=units.get(row.unit) if row.unit else None,
                    cash_flow=row.cash_flow,
                )
                for row in level
            ]
        )
        existing.update((account.code, account.id) for account in made)
        created += len(made)
        pending = [row for row in pending if row.code not in existing]
    head_model.objects.get_or_create(cooperative_id=cooperative_id)
    return created
