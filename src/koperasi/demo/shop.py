"""Demo gerai and gudang for an operating KKMP (issue 6): catalogue, purchasing, stock, till, consignment.

Each of the seven operating cooperatives opens its gerai sembako in July 2026 with a
catalogue of 25 staples at Balikpapan prices (beras SPHP 5 kg at Rp65.500 = 5 × the zone 2
HET of Rp13.100/kg, beras medium 5 kg under 5 × Rp14.000, MinyaKita 1 L at Rp15.700, LPG
3 kg at Rp19.000 for the pangkalan LPG unit) and three consignment products of a member's
UMKM (keripik pisang, sambal bawang, amplang; 10 % commission). Its suppliers are Perum
Bulog, a Pertamina LPG agent, a Balikpapan distributor and the member's UMKM.

What happens, in date order (July–October 2026), all through ``koperasi.shop.services``:

- 3 July: a purchase order to Bulog for the gudang, received in two parts (6 and 13
  July; the kasir receives), invoiced on 14 July and paid by transfer on 5 August;
  1 September: a second Bulog delivery on credit, invoiced, half paid on 5 October (the
  rest is still owed);
- 6 July: the distributor's delivery to the gerai on credit (invoiced, paid on 10 August)
  and the LPG agent's, paid by transfer on receipt; they last the four months;
- 7 July and 2 September: goods move from the gudang to the gerai;
- 8 July: the UMKM brings its goods; on 30 September the cooperative pays it, in cash, what
  they earned (the sale price less the commission); October's sales are still owed;
- on the sale days (one a month; two at Gunung Sari Ulu) the cashier opens a session with a
  float, sells to members (named: their purchases count for SHU) and non-members, by cash
  (change given), QRIS or transfer, and closes the session with a cash count equal to what
  the till should hold. A day is a few large sales — warung restocking (members or not) and
  a kitchen buying for the week — and a household or two. LPG 3 kg and beras SPHP are sold
  under the subsidy programmes started on 1 July (``demo.subsidies``): the buyer's NIK (the
  member's card, the kitchen owner's, a household's) within its quota, and for LPG the MAP
  transaction number. In September a member brings one unit back: the cashier asks, another
  officer approves, the refund comes from the till;
- 1 September: the price of eggs goes up (a price history); 30 September: stock count
  (opname) at the gerai with a small shortage (posted at moving-average cost);
- each month's end: electricity and the gerai manager's honorarium paid, and the till's
  takings deposited in the bank (plain journal entries; ``demo.books`` posts the rest).

The days are a sample (each service call costs; the demo loads in seconds): about 120 sales
in all, for Rp40–60 juta of sales a cooperative (Gunung Sari Ulu, busier, about Rp95 juta),
10–15 % gross margin, and a small surplus after the gerai's costs.

At Gunung Sari Ulu the demo users do it: ``kasir`` sells, receives goods and moves stock,
``bendahara`` buys, pays, counts stock and approves the return, ``ketua`` set up the
catalogue. Elsewhere ``bendahara.<code>`` sells and buys and ``ketua.<code>`` approves.
Quantities scale with the cooperative (as ``demo.books`` does); the plan is seeded by the
cooperative's code, so every load gives the same sales. Loading is once per cooperative:
one with products is left alone; one without aktif members is left for a later load.
Nothing is dated after today.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.models import CooperativeRole
from koperasi.core.roles import Role
from koperasi.core.services import cooperative_user_add
from koperasi.demo.loans import LoansResult, _officers
from koperasi.demo.members import JOIN_FIRST, _nik
from koperasi.demo.subsidies import MOVED_AWAY, DemoSubsidies
from koperasi.ledger.models import JournalEntry
from koperasi.ledger.services import ByRole, LineInput, journal_post
from koperasi.members.choices import MemberStatus
from koperasi.members.models import Member
from koperasi.shop import services
from koperasi.shop.choices import PaymentMethod, SupplierKind
from koperasi.shop.models import (
    CashierSession,
    GoodsReceipt,
    Product,
    PurchaseOrder,
    Sale,
    SaleLine,
    StockLevel,
    SupplierInvoice,
)
from koperasi.shop.selectors import consignment_payable, supplier_payable
from koperasi.subsidies.models import Distribution

D = datetime.date
PRICES_FROM = D(2026, 7, 1)
DEMO_COOP = "gunung-sari-ulu"
OPENING_FLOAT = 200_000
UTILITIES = 250_000  # listrik dan air gerai, a month
HONOR = 600_000  # honor pengelola gerai (part time), a month
MONTH_NAMES = {7: "Juli", 8: "Agustus", 9: "September", 10: "Oktober"}
MONTH_ENDS = (D(2026, 7, 31), D(2026, 8, 31), D(2026, 9, 30), D(2026, 10, 31))
WARUNG_JOBS = ("Pedagang", "Wiraswasta")
OLD_SUMMARY_KEYS = [f"demo-jual-{month}" for month in (7, 8, 9, 10)]  # demo books before the gerai had stock


@dataclass(frozen=True)
class Item:
    """A catalogue line: selling price and the supplier's price (rupiah per selling unit)."""

    sku: str
    name: str
    unit: str
    category: str
    price: int
    cost: int
    supplier: str  # bulog, lpg, distributor, umkm
    barcode: str = ""
    het: str = ""
    het_quantity: str = "1"
    pack_size: int = 1
    pack_unit: str = ""
    business_unit: str = "gerai_sembako"
    min_stock: int = 0


def _ean13(body: str) -> str:
    """Return the 12-digit ``body`` with its EAN-13 check digit (prefix 899: Indonesia)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _bar(company: int, item: int) -> str:
    return _ean13(f"899{company:04d}{item:05d}")


CATALOGUE = (
    Item("SPHP5", "Beras SPHP 5 kg", "karung", "Beras", 65_500, 57_000, "bulog", _bar(1234, 15), "beras_sphp", "5",
         min_stock=20),
    Item("BRM5", "Beras medium 5 kg", "karung", "Beras", 69_500, 60_500, "bulog", _bar(1234, 22), "beras_medium", "5",
         min_stock=10),
    Item("BRP5", "Beras premium 5 kg", "karung", "Beras", 76_500, 67_000, "distributor", _bar(2211, 5),
         "beras_premium", "5"),
    Item("MK1", "MinyaKita 1 L", "botol", "Minyak goreng", 15_700, 13_700, "bulog", _bar(2718, 1), "minyakita", "1",
         12, "dus", min_stock=24),
    Item("MGP2", "Minyak goreng premium 2 L", "pouch", "Minyak goreng", 39_500, 34_500, "distributor",
         _bar(2718, 42), pack_size=6, pack_unit="dus"),
    Item("GULA1", "Gula pasir 1 kg", "bungkus", "Gula", 18_500, 16_000, "bulog", _bar(1234, 39), pack_size=20,
         pack_unit="bal", min_stock=20),
    Item("TLR1", "Telur ayam ras 1 kg", "kg", "Telur", 31_000, 27_000, "distributor", min_stock=5),
    Item("TPG1", "Tepung terigu 1 kg", "bungkus", "Tepung", 13_500, 11_500, "distributor", _bar(3302, 11), pack_size=12,
         pack_unit="bal"),
    Item("MIEG", "Mi instan goreng 85 g", "bungkus", "Mi instan", 3_500, 2_950, "distributor", _bar(3302, 170),
         pack_size=40, pack_unit="dus", min_stock=40),
    Item("MIEK", "Mi instan kuah ayam bawang 70 g", "bungkus", "Mi instan", 3_300, 2_750, "distributor",
         _bar(3302, 187), pack_size=40, pack_unit="dus", min_stock=40),
    Item("KOPI", "Kopi bubuk saset 20 g (renceng isi 10)", "renceng", "Minuman", 16_000, 13_600, "distributor",
         _bar(4110, 3), pack_size=12, pack_unit="pak"),
    Item("TEH", "Teh celup isi 25", "kotak", "Minuman", 7_500, 6_300, "distributor", _bar(4110, 58)),
    Item("SKM", "Susu kental manis 370 g", "kaleng", "Susu", 12_500, 10_700, "distributor", _bar(4512, 9),
         pack_size=48, pack_unit="dus"),
    Item("UHT", "Susu UHT 200 ml", "kotak", "Susu", 6_000, 4_900, "distributor", _bar(4512, 31), pack_size=24,
         pack_unit="dus"),
    Item("AIR", "Air mineral 600 ml", "botol", "Minuman", 4_000, 3_000, "distributor", _bar(5020, 600),
         pack_size=24, pack_unit="dus"),
    Item("GARAM", "Garam beryodium 250 g", "bungkus", "Bumbu", 3_000, 2_200, "distributor", _bar(6001, 25)),
    Item("KECAP", "Kecap manis 520 ml", "pouch", "Bumbu", 24_000, 20_500, "distributor", _bar(6001, 520)),
    Item("BWM", "Bawang merah 250 g", "bungkus", "Bumbu", 12_500, 10_000, "distributor"),
    Item("SARDEN", "Sarden saus tomat 425 g", "kaleng", "Lauk kering", 24_000, 20_500, "distributor",
         _bar(6123, 425)),
    Item("MARG", "Margarin 200 g", "saset", "Lauk kering", 7_500, 6_300, "distributor", _bar(6123, 200)),
    Item("SABUN", "Sabun mandi batang 75 g", "batang", "Kebutuhan rumah tangga", 4_000, 3_200, "distributor",
         _bar(7030, 75)),
    Item("DETER", "Deterjen bubuk 800 g", "bungkus", "Kebutuhan rumah tangga", 21_000, 18_000, "distributor",
         _bar(7030, 800)),
    Item("CUCI", "Sabun cuci piring 780 ml", "pouch", "Kebutuhan rumah tangga", 15_500, 13_000, "distributor",
         _bar(7030, 780)),
    Item("ODOL", "Pasta gigi 190 g", "tube", "Kebutuhan rumah tangga", 13_500, 11_300, "distributor",
         _bar(7030, 190)),
    Item("LPG3", "LPG 3 kg (isi ulang)", "tabung", "LPG", 19_000, 16_000, "lpg", het="lpg_3kg",
         business_unit="pangkalan_lpg", min_stock=20),
    # Consignment: the member's UMKM owns the goods; the cooperative keeps 10 % of each sale.
    Item("KRP", "Keripik pisang 200 g", "bungkus", "Makanan UMKM", 15_000, 0, "umkm"),
    Item("SMB", "Sambal bawang 150 g", "botol", "Makanan UMKM", 25_000, 0, "umkm"),
    Item("AMP", "Amplang ikan 200 g", "bungkus", "Makanan UMKM", 30_000, 0, "umkm"),
)  # fmt: skip
ITEMS = {item.sku: item for item in CATALOGUE}
COMMISSION = Decimal("10")

# Goods bought (units at scale 1.0; ``_Shop.q`` scales them). Bulog: SPHP for households, medium rice
# (commercial) for the warung, MinyaKita and sugar; the distributor's and the LPG agent's July
# deliveries last the four months.
BULOG_ORDER = {"SPHP5": 24, "BRM5": 160, "MK1": 300, "GULA1": 140}
BULOG_FIRST_PART = {"SPHP5": 24, "BRM5": 120, "MK1": 300, "GULA1": 110}  # the rest arrives a week later
BULOG_SEPTEMBER = {"SPHP5": 10, "BRM5": 140, "MK1": 300, "GULA1": 120}
DISTRIBUTOR = {
    "BRP5": 8, "MGP2": 36, "TLR1": 48, "TPG1": 80, "MIEG": 320, "MIEK": 160, "KOPI": 60, "TEH": 48, "SKM": 60,
    "UHT": 24, "AIR": 72, "GARAM": 12, "KECAP": 20, "BWM": 20, "SARDEN": 8, "MARG": 12, "SABUN": 120, "DETER": 36,
    "CUCI": 8, "ODOL": 8,
}  # fmt: skip
LPG_DELIVERY = 48
GERAI_TARGET = {"SPHP5": 24, "BRM5": 150, "MK1": 300, "GULA1": 130}  # what the gerai holds after a transfer
CONSIGNED = {"KRP": 24, "SMB": 12, "AMP": 16}

# What buyers take: sku → (least, most, step) units; a warung's and a kitchen's orders at scale 1.0.
WARUNG_CORE = ("BRM5", "MK1", "GULA1")
WARUNG_BASKET = {
    "BRM5": (20, 40, 5), "MK1": (36, 72, 12), "GULA1": (20, 40, 5), "MIEG": (80, 160, 40), "MIEK": (40, 80, 40),
    "TPG1": (12, 24, 6), "KOPI": (12, 24, 6), "SKM": (12, 24, 12), "TLR1": (10, 20, 5), "AIR": (24, 48, 24),
    "SABUN": (24, 48, 12), "DETER": (6, 12, 6), "MGP2": (6, 12, 6), "TEH": (10, 20, 10),
}  # fmt: skip
KITCHEN_BASKET = {
    "BRM5": (5, 15, 5), "MK1": (12, 24, 12), "TLR1": (5, 15, 5), "GULA1": (5, 15, 5), "BWM": (4, 8, 2),
    "KECAP": (2, 6, 2), "TPG1": (5, 10, 5), "LPG3": (3, 6, 1), "SMB": (2, 4, 2),
}  # fmt: skip
HOUSEHOLD_BASKET = {
    "SPHP5": (1, 2, 1), "BRM5": (1, 1, 1), "BRP5": (1, 1, 1), "MK1": (1, 2, 1), "MGP2": (1, 1, 1),
    "GULA1": (1, 2, 1), "TLR1": (1, 2, 1), "TPG1": (1, 1, 1), "MIEG": (2, 5, 1), "MIEK": (2, 5, 1),
    "KOPI": (1, 1, 1), "TEH": (1, 1, 1), "SKM": (1, 2, 1), "UHT": (2, 4, 2), "GARAM": (1, 1, 1),
    "KECAP": (1, 1, 1), "BWM": (1, 1, 1), "SARDEN": (1, 1, 1), "MARG": (1, 1, 1), "SABUN": (1, 3, 1),
    "DETER": (1, 1, 1), "CUCI": (1, 1, 1), "ODOL": (1, 1, 1), "KRP": (1, 2, 1), "SMB": (1, 1, 1),
    "AMP": (1, 1, 1),
}  # fmt: skip
KITCHENS = (
    "Katering Barokah",
    "Kantin SD Negeri",
    "Warung Makan Sederhana",
    "Rumah Makan Bu Ani",
    "Katering Al-Ikhlas",
)
SHOPS = ("Toko Sembako Rezeki", "Warung Bu Sum", "Kios Berkah", "Toko Dua Saudara")  # warung owners not (yet) members


@dataclass
class _Plan:
    """One sale to make: units wanted (fewer if the gerai has fewer), the buyer, whether it is a bulk order."""

    lines: dict[str, int]
    member: Member | None
    buyer_nik: str = ""
    buyer_name: str = ""
    bulk: bool = False


@dataclass
class ShopResult:
    sales: int = 0
    users_created: int = 0
    subsidy_programs: int = 0
    subsidy_recipients: int = 0
    distributions: int = 0
    notes: list[str] = field(default_factory=list)


def _sale_days(code: str, serial: int) -> list[datetime.date]:
    """The days the demo records sales: two a month at the demo cooperative, one elsewhere (shifted a little)."""
    shift = serial % 3
    days = (9, 20) if code == DEMO_COOP else (15,)
    return [D(2026, month, day + shift) for month in MONTH_NAMES for day in days]


class _Shop:
    """One cooperative's gerai, loaded event by event in date order."""

    def __init__(self, cooperative: Cooperative, serial: int, people: dict[str, Any], members: list[Member]) -> None:
        self.coop = cooperative
        self.serial = serial
        self.scale = 10 + serial % 7  # tenths, as demo.books
        self.rng = random.Random(f"koperasi-demo-shop-{cooperative.code}")
        self.ketua, self.bendahara, self.kasir = people["ketua"], people["bendahara"], people["kasir"]
        self.approver = self.bendahara if self.kasir.pk != self.bendahara.pk else self.ketua
        self.members = members
        self.region6 = cooperative.kelurahan_id[:8].replace(".", "")
        self.products: dict[str, Product] = {}
        self.suppliers: dict[str, Any] = {}
        self.gerai: dict[str, int] = {}  # units at the gerai, as the services book them
        self.gudang: dict[str, int] = {}
        self.receipts: dict[str, list[GoodsReceipt]] = {"bulog": [], "distributor": []}
        self.invoices: dict[str, SupplierInvoice] = {}
        self.order: PurchaseOrder | None = None
        self.sales: list[Sale] = []
        self.sale_no = 0
        self.featured = cooperative.code == DEMO_COOP
        self.bulk_per_day = 2  # warung restocking: twice a month elsewhere, four times at the busier demo cooperative
        self.supply = 2 if self.featured else 1  # so the demo cooperative buys twice as much
        self.subsidies: DemoSubsidies | None = None  # the LPG and SPHP programmes, from 1 July (demo.subsidies)

    def q(self, units: int) -> int:
        """Units at this cooperative's scale."""
        return max(units * self.scale // 10, 1)

    def supplied(self, units: int) -> int:
        """Units bought or kept on the shelf: scaled, twice as many at the busier demo cooperative."""
        return self.q(units) * self.supply

    # --- Set-up ---------------------------------------------------------------------------------
    def catalogue(self, day: datetime.date) -> None:
        kinds = {
            "bulog": ("Perum Bulog", SupplierKind.BULOG, "Jl. Jenderal Sudirman No. 5, Balikpapan", "0542-421234"),
            "lpg": (
                "Agen LPG PT Bumi Gas Sejahtera (agen resmi Pertamina)",
                SupplierKind.PERTAMINA,
                "Jl. Soekarno-Hatta Km 5, Balikpapan",
                "0542-860115",
            ),
            "distributor": (
                "CV Sumber Rezeki Balikpapan",
                SupplierKind.DISTRIBUTOR,
                "Jl. Letjen Suprapto No. 48, Balikpapan",
                "0542-733560",
            ),
        }
        for key, (name, kind, address, phone) in kinds.items():
            self.suppliers[key] = services.supplier_create(
                cooperative=self.coop, name=name, kind=kind, address=address, phone=phone, actor=self.bendahara
            )
        owner = self._umkm_owner()
        self.suppliers["umkm"] = services.supplier_create(
            cooperative=self.coop,
            name=f"UMKM Dapur {owner.name.split()[0]} ({owner.name})",
            kind=SupplierKind.UMKM,
            member=owner,
            phone=owner.phone,
            address=owner.address,
            actor=self.bendahara,
        )
        services.locations_ensure(self.coop)
        for item in CATALOGUE:
            consigned = item.supplier == "umkm"
            data = services.ProductInput(
                sku=item.sku,
                name=item.name,
                unit=item.unit,
                business_unit=item.business_unit,
                barcode=item.barcode,
                category=item.category,
                pack_size=item.pack_size,
                pack_unit=item.pack_unit,
                het_commodity=item.het,
                het_quantity=item.het_quantity,
                consignor=self.suppliers["umkm"] if consigned else None,
                commission_percent=COMMISSION if consigned else Decimal("0"),
                min_stock=item.min_stock,
            )
            self.products[item.sku] = services.product_create(
                cooperative=self.coop, data=data, price=item.price, effective_from=day, actor=self.ketua
            )

    def subsidies_open(self, day: datetime.date) -> None:
        """Start the LPG 3 kg and SPHP programmes and register the recipients (``demo.subsidies``)."""
        people = {"ketua": self.ketua, "bendahara": self.bendahara, "kasir": self.kasir}
        self.subsidies = DemoSubsidies(self.coop, self.serial, people, self.products, KITCHENS)
        self.subsidies.open(day, self.members)
        self.subsidies.allocations(day, self.supplied(BULOG_ORDER["SPHP5"]))

    def subsidies_month(self, day: datetime.date, sphp_delivered: int = 0) -> None:
        """The month's allocations, and the members aktif since last month registered as recipients."""
        assert self.subsidies is not None
        self.subsidies.members_register(day, self.members)
        self.subsidies.allocations(day, self.supplied(sphp_delivered) if sphp_delivered else 0)

    def subsidies_moved_away(self, day: datetime.date) -> None:
        assert self.subsidies is not None
        self.subsidies.moved_away(day)

    def _umkm_owner(self) -> Member:
        """The member whose kitchen makes the consigned snacks: an early member, not the first (the portal user)."""
        first = self.members[0]
        early = [m for m in self.members if m.activated_on and m.activated_on <= D(2026, 7, 1) and m is not first]
        cooks = [m for m in early if m.occupation in ("Ibu rumah tangga", "Wiraswasta")]
        return (cooks or early or self.members)[0]

    # --- Purchasing and stock -------------------------------------------------------------------
    def bulog_order(self, day: datetime.date) -> None:
        self.order = services.purchase_order_create(
            cooperative=self.coop,
            supplier=self.suppliers["bulog"],
            date=day,
            lines=[
                services.PurchaseLineInput(self.products[s], self.supplied(n), ITEMS[s].cost)
                for s, n in BULOG_ORDER.items()
            ],
            location="gudang",
            expected_on=day + datetime.timedelta(days=7),
            note="Beras SPHP, beras medium, MinyaKita dan gula untuk Juli–Agustus",
            actor=self.bendahara,
        )

    def bulog_receive(self, day: datetime.date, first: bool) -> None:
        assert self.order is not None
        lines = {ln.product.sku: ln for ln in self.order.lines.select_related("product")}
        wanted = {}
        for sku, line in lines.items():
            part = min(self.supplied(BULOG_FIRST_PART.get(sku, 0)), line.qty_ordered)
            qty = part if first else line.qty_ordered - part
            if qty:
                wanted[line.pk] = qty
                self.gudang[sku] = self.gudang.get(sku, 0) + qty
        receipt = services.goods_receive(
            cooperative=self.coop,
            order=self.order,
            date=day,
            quantities=wanted,
            note="Kiriman pertama" if first else "Sisa pesanan",
            actor=self.kasir,
            idempotency_key=f"demo-terima-{day:%m%d}",
        )
        self.receipts["bulog"].append(receipt)

    def invoice(self, day: datetime.date, supplier: str, number: str, due_days: int = 30) -> None:
        receipts = [r for r in self.receipts[supplier] if r.invoice_id is None]
        self.invoices[supplier] = services.supplier_invoice_record(
            cooperative=self.coop,
            supplier=self.suppliers[supplier],
            invoice_no=number,
            date=day,
            receipts=receipts,
            due_on=day + datetime.timedelta(days=due_days),
            actor=self.bendahara,
        )
        for receipt in receipts:
            receipt.invoice_id = self.invoices[supplier].pk

    def pay(self, day: datetime.date, supplier: str, *, part: int = 1) -> None:
        """Pay a supplier's last invoice by transfer (``part`` = 2: half of it, rounded down to Rp1.000)."""
        invoice = self.invoices[supplier]
        owed = min(
            invoice.amount - invoice.paid, supplier_payable(cooperative=self.coop, supplier=self.suppliers[supplier])
        )
        amount = owed if part == 1 else owed // part // 1_000 * 1_000
        if amount <= 0:
            return
        services.supplier_pay(
            cooperative=self.coop,
            supplier=self.suppliers[supplier],
            amount=amount,
            date=day,
            channel="transfer",
            reference=f"TRF{day:%y%m%d}{self.serial:02d}{supplier[:3].upper()}",
            invoice=invoice,
            actor=self.bendahara,
            idempotency_key=f"demo-bayar-{supplier}-{day:%m%d}",
        )

    def buy(self, day: datetime.date, supplier: str, plan: dict[str, int], *, location: str, paid: bool) -> None:
        """A delivery without an order: on credit, or (LPG) paid by transfer when it arrives."""
        lines = [services.PurchaseLineInput(self.products[s], self.supplied(n), ITEMS[s].cost) for s, n in plan.items()]
        receipt = services.purchase_direct(
            cooperative=self.coop,
            supplier=self.suppliers[supplier],
            date=day,
            lines=lines,
            location=location,
            paid_channel="transfer" if paid else None,
            reference=f"TRF{day:%y%m%d}{self.serial:02d}LPG" if paid else "",
            note=f"Kiriman {MONTH_NAMES.get(day.month, '')} {day.year}",
            actor=self.bendahara,
            idempotency_key=f"demo-beli-{supplier}-{day:%m%d}",
        )
        held = self.gerai if location == "gerai" else self.gudang
        for sku, line in zip(plan, lines, strict=True):
            held[sku] = held.get(sku, 0) + line.qty
        if supplier in self.receipts:
            self.receipts[supplier].append(receipt)

    def transfer(self, day: datetime.date) -> None:
        """Fill the gerai from the gudang up to its usual levels."""
        lines = []
        for sku, target in GERAI_TARGET.items():
            qty = min(self.supplied(target) - self.gerai.get(sku, 0), self.gudang.get(sku, 0))
            if qty > 0:
                lines.append((self.products[sku], qty))
                self.gudang[sku] -= qty
                self.gerai[sku] = self.gerai.get(sku, 0) + qty
        if lines:
            services.stock_transfer(
                cooperative=self.coop,
                from_location="gudang",
                to_location="gerai",
                date=day,
                lines=lines,
                note="Isi rak gerai dari gudang",
                actor=self.kasir,
            )

    def consign(self, day: datetime.date, plan: dict[str, int]) -> None:
        for sku, units in plan.items():
            qty = self.q(units)
            services.consignment_receive(
                cooperative=self.coop, product=self.products[sku], qty=qty, date=day, actor=self.kasir
            )
            self.gerai[sku] = self.gerai.get(sku, 0) + qty

    def settle(self, day: datetime.date) -> None:
        owner = self.suppliers["umkm"]
        owed = consignment_payable(cooperative=self.coop, consignor=owner)
        if owed > 0:
            services.consignment_settle(
                cooperative=self.coop,
                consignor=owner,
                amount=owed,
                date=day,
                channel="tunai",
                reference="Kuitansi titipan Juli–September",
                actor=self.bendahara,
            )

    def eggs_dearer(self, day: datetime.date) -> None:
        services.product_price_set(
            cooperative=self.coop,
            product=self.products["TLR1"],
            price=32_500,
            effective_from=day,
            reason="Harga telur naik di tingkat distributor",
            actor=self.ketua,
        )

    def count(self, day: datetime.date) -> None:
        """Opname at the gerai: two bottles of MinyaKita and three packs of noodles are missing."""
        short = {"MK1": 2, "MIEG": 3}
        counted = {"SPHP5": 0, "BRM5": 0, "LPG3": 0, **short}
        ids = {self.products[sku].pk: sku for sku in counted}
        levels = dict(
            StockLevel.objects.filter(cooperative=self.coop, location__code="gerai", product_id__in=ids).values_list(
                "product_id", "qty"
            )
        )
        counts = {pid: max(levels.get(pid, 0) - short.get(sku, 0), 0) for pid, sku in ids.items()}
        services.stock_count_post(
            cooperative=self.coop,
            location="gerai",
            date=day,
            counts=counts,
            note="Stok opname akhir triwulan III",
            actor=self.bendahara,
        )
        for pid, sku in ids.items():
            self.gerai[sku] = counts[pid]

    # --- The till -------------------------------------------------------------------------------
    def sale_day(self, day: datetime.date, with_return: bool = False) -> None:
        session = services.cashier_session_open(cooperative=self.coop, opening_float=OPENING_FLOAT, actor=self.kasir)
        eligible = [m for m in self.members if m.activated_on and m.activated_on <= day]
        warung = [m for m in eligible if m.occupation in WARUNG_JOBS] or eligible
        plans: list[_Plan] = []
        for _ in range(self.bulk_per_day):  # a warung restocks: a member's (SHU counts it) or a non-member's
            lines = self._basket(WARUNG_BASKET, 4, bulk=True, always=WARUNG_CORE)
            if warung and self.rng.random() < 0.7:
                plans.append(_Plan(lines, self.rng.choice(warung), bulk=True))
            else:
                plans.append(_Plan(lines, None, buyer_name=self.rng.choice(SHOPS), bulk=True))
        lines = self._basket(KITCHEN_BASKET, 6, bulk=True)  # a non-member kitchen buys for the week
        plans.append(_Plan(lines, None, buyer_name=self.rng.choice(KITCHENS), bulk=True))
        for _ in range(1 if self.featured or self.rng.random() < 0.5 else 0):  # a household; LPG buyers give NIK
            buyer = self.rng.choice(eligible) if eligible and self.rng.random() < 0.6 else None
            lines = self._basket(HOUSEHOLD_BASKET, self.rng.randint(2, 5))
            if self.rng.random() < 0.5:  # a snack from the member's UMKM
                lines[self.rng.choice(sorted(CONSIGNED))] = self.rng.randint(1, 3)
            if self.rng.random() < 0.4:  # a refill from the pangkalan LPG
                lines["LPG3"] = 1
            nik = self._outsider_nik() if buyer is None and "LPG3" in lines else ""
            plans.append(_Plan(lines, buyer, buyer_nik=nik))
        budi = next((m for m in eligible if m.member_no == 1), None) if self.featured else None
        if budi is not None and day.day < 15:  # the portal user's monthly shopping
            plans.append(_Plan({"SPHP5": 1, "MK1": 2, "GULA1": 1, "MIEG": 5, "LPG3": 1}, budi))
        for plan in plans:
            self._sell(day, plan)
        if with_return:
            self._return(day)
        session.refresh_from_db()
        services.cashier_session_close(
            cooperative=self.coop,
            session=session,
            counted_cash=services.session_expected_cash(session),
            note="Kas sesuai",
            actor=self.kasir,
        )
        opened = timezone.make_aware(datetime.datetime.combine(day, datetime.time(7, 30)))
        CashierSession.objects.filter(pk=session.pk).update(
            opened_at=opened, closed_at=opened + datetime.timedelta(hours=9, minutes=15)
        )

    def _basket(
        self, choices: dict[str, tuple[int, int, int]], lines: int, *, bulk: bool = False, always: tuple[str, ...] = ()
    ) -> dict[str, int]:
        others = sorted(set(choices) - set(always))
        picked = [*always, *self.rng.sample(others, min(lines, len(others)))]
        out = {}
        for sku in picked:
            least, most, step = choices[sku]
            qty = self.rng.randrange(least, most + 1, step)
            out[sku] = self.q(qty) if bulk else qty
        return out

    def _outsider_nik(self) -> str:
        birth = D(self.rng.randint(1960, 2000), self.rng.randint(1, 12), self.rng.randint(1, 28))
        return _nik(self.region6, birth, self.rng.random() < 0.6, 9000 + self.rng.randint(1, 999))

    def _sell(self, day: datetime.date, plan: _Plan) -> None:
        taken = {sku: min(qty, self.gerai.get(sku, 0)) for sku, qty in plan.lines.items()}
        taken = {sku: qty for sku, qty in taken.items() if qty > 0}
        buyer_nik, reference = plan.buyer_nik, ""
        if self.subsidies is not None and self.subsidies.covers(taken):  # LPG or SPHP: the buyer's NIK and quota
            till = self.subsidies.till(day, member=plan.member, nik=plan.buyer_nik, name=plan.buyer_name, lines=taken)
            buyer_nik, taken, reference = till.nik, till.lines, till.reference
        if not taken:
            return
        for sku, qty in taken.items():
            self.gerai[sku] -= qty
        total = sum(qty * self._price(sku, day) for sku, qty in taken.items())
        if plan.bulk:
            method = self.rng.choice((PaymentMethod.TUNAI, PaymentMethod.TRANSFER))
        else:
            method = self.rng.choices((PaymentMethod.TUNAI, PaymentMethod.QRIS), weights=(3, 1))[0]
        cash = None
        if method == PaymentMethod.TUNAI:
            step = self.rng.choice((1_000, 5_000, 10_000, 50_000)) if total < 500_000 else 100_000
            cash = -(-total // step) * step
        self.sale_no += 1
        sale = services.sale_create(
            cooperative=self.coop,
            date=day,
            lines=[services.SaleLineInput(self.products[sku], qty) for sku, qty in taken.items()],
            payment_method=method,
            payment_reference=(
                f"TRF{day:%y%m%d}{self.sale_no:03d}"
                if method == PaymentMethod.TRANSFER
                else (f"QRIS-{day:%y%m%d}-{self.sale_no:04d}" if method == PaymentMethod.QRIS else "")
            ),
            cash_received=cash,
            member=plan.member,
            buyer_nik=buyer_nik,
            buyer_name=plan.buyer_name,
            partner_reference=reference,
            actor=self.kasir,
            idempotency_key=f"demo-nota-{self.sale_no:04d}",
        )
        sold_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))
        sale.created_at = sold_at + datetime.timedelta(minutes=23 * len([s for s in self.sales if s.date == day]) + 7)
        self.sales.append(sale)

    def _price(self, sku: str, day: datetime.date) -> int:
        return 32_500 if sku == "TLR1" and day >= D(2026, 9, 1) else ITEMS[sku].price

    def _return(self, day: datetime.date) -> None:
        """A member brings back one unit bought earlier (a leaking bottle if any, paid in cash if any).

        The refund goes back the way the sale was paid: from today's till for cash.
        """
        earlier = [s.pk for s in self.sales if s.date < day and s.member_id]
        lines = list(SaleLine.objects.filter(sale_id__in=earlier, consignor=None).select_related("product", "sale"))
        if not lines:
            return
        leaking = [ln for ln in lines if ln.product.sku in ("MK1", "MGP2", "KECAP")]
        line = max(
            leaking or lines, key=lambda ln: (ln.sale.payment_method == PaymentMethod.TUNAI, ln.sale.date, ln.pk)
        )
        request = services.sale_return_request(
            cooperative=self.coop,
            sale=line.sale,
            kind="return",
            reason="Kemasan bocor, dikembalikan pembeli" if leaking else "Kemasan rusak, dikembalikan pembeli",
            date=day,
            quantities={line.pk: 1},
            actor=self.kasir,
        )
        services.sale_return_decide(
            cooperative=self.coop, sale_return=request, approve=True, note="Barang diperiksa", actor=self.approver
        )
        self.gerai[line.product.sku] = self.gerai.get(line.product.sku, 0) + 1

    def month_end(self, day: datetime.date) -> None:
        """Pay the gerai's electricity and honorarium; deposit the till's takings in the bank."""
        name = MONTH_NAMES[day.month]
        cash_sales = (
            Sale.objects.filter(
                cooperative=self.coop, date__year=day.year, date__month=day.month, payment_method=PaymentMethod.TUNAI
            ).aggregate(s=Sum("total"))["s"]
            or 0
        )
        deposit = cash_sales * 9 // 10 // 100_000 * 100_000
        entries: list[tuple[str, str, str, str, int]] = [
            ("listrik", f"Listrik dan air gerai {name}", "utilities", "cash", UTILITIES),
            ("honor", f"Honor pengelola gerai {name}", "salaries", "bank", HONOR),
            ("setor", f"Setor kas gerai ke bank {name}", "bank", "cash", deposit),
        ]
        for key, memo, debit, credit, amount in entries:
            if amount <= 0:
                continue
            journal_post(
                cooperative=self.coop,
                date=day,
                lines=[
                    LineInput(account=ByRole(debit), debit=amount),
                    LineInput(account=ByRole(credit), credit=amount),
                ],
                memo=memo,
                source="demo",
                idempotency_key=f"demo-{key}-{day.month}",
                actor=self.bendahara,
            )

    # --- The plan -------------------------------------------------------------------------------
    def events(self) -> list[tuple[datetime.date, int, Callable[[], None]]]:
        """Every event of the four months, in the order it happened (same-day events by rank)."""
        ev: list[tuple[datetime.date, int, Callable[[], None]]] = []

        def at(day: datetime.date, rank: int, fn: Callable[..., None], *args: Any, **kwargs: Any) -> None:
            ev.append((day, rank, lambda: fn(day, *args, **kwargs)))

        serial = self.serial
        at(PRICES_FROM, 0, self.catalogue)
        at(PRICES_FROM, 1, self.subsidies_open)
        for month in (8, 9, 10):
            at(D(2026, month, 1), 1, self.subsidies_month, BULOG_SEPTEMBER["SPHP5"] if month == 9 else 0)
        at(MOVED_AWAY, 2, self.subsidies_moved_away)
        at(D(2026, 7, 3), 0, self.bulog_order)
        at(D(2026, 7, 6), 0, self.bulog_receive, True)
        at(D(2026, 7, 13), 0, self.bulog_receive, False)
        at(D(2026, 7, 14), 1, self.invoice, "bulog", f"BLG/KTM/{serial:02d}/VII/2026")
        at(D(2026, 8, 5), 1, self.pay, "bulog")
        at(D(2026, 9, 1), 0, self.buy, "bulog", BULOG_SEPTEMBER, location="gudang", paid=False)
        at(D(2026, 9, 2), 1, self.invoice, "bulog", f"BLG/KTM/{serial:02d}/IX/2026")
        at(D(2026, 10, 5), 1, self.pay, "bulog", part=2)  # half now, the rest still owed
        at(D(2026, 7, 6), 1, self.buy, "distributor", DISTRIBUTOR, location="gerai", paid=False)
        at(D(2026, 7, 6), 2, self.buy, "lpg", {"LPG3": LPG_DELIVERY}, location="gerai", paid=True)
        at(D(2026, 7, 20), 1, self.invoice, "distributor", f"SR-{serial:02d}0726")
        at(D(2026, 8, 10), 1, self.pay, "distributor")
        for day in (D(2026, 7, 7), D(2026, 9, 2)):  # the shelves are filled for two months
            at(day, 3, self.transfer)
        at(D(2026, 7, 8), 2, self.consign, CONSIGNED)
        at(D(2026, 9, 1), 5, self.eggs_dearer)
        days = _sale_days(self.coop.code, serial)
        returned = next(d for d in days if d.month == 9)
        for day in days:
            at(day, 6, self.sale_day, with_return=day == returned)
        at(D(2026, 9, 30), 7, self.count)
        at(D(2026, 9, 30), 8, self.settle)
        for day in MONTH_ENDS:
            at(day, 9, self.month_end)
        ev.sort(key=lambda e: (e[0], e[1]))
        return ev


def _shop_people(cooperative: Cooperative, actor: Any, result: ShopResult) -> dict[str, Any]:
    """The ketua and bendahara (``demo.loans`` makes them if missing) and the cashier.

    At Gunung Sari Ulu the demo user ``kasir`` sells; elsewhere the bendahara keeps the till.
    """
    from koperasi.demo.balikpapan import DEMO_PASSWORD, DEMO_STAFF  # balikpapan imports this module

    made = LoansResult()
    officers = _officers(cooperative, actor, made)
    result.users_created += made.users_created
    kasir = officers[Role.BENDAHARA]
    if cooperative.code == DEMO_COOP:
        held = CooperativeRole.objects.filter(cooperative=cooperative, role=Role.KASIR).select_related("user").first()
        if held is None:
            username, role, full_name = next(s for s in DEMO_STAFF if s[1] == Role.KASIR)
            held = cooperative_user_add(
                cooperative=cooperative,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                full_name=full_name,
                actor=actor,
            )
            result.users_created += 1
        kasir = held.user
    return {"ketua": officers[Role.KETUA], "bendahara": officers[Role.BENDAHARA], "kasir": kasir}


def demo_shop_load(cooperative: Cooperative, serial: int, actor: Any) -> ShopResult:
    """Open the gerai of one operating cooperative and load its July–October 2026 (see the module docstring).

    Once per cooperative: one with products is left alone, one without aktif members too
    (a later load adds the gerai). Raises Conflict (``period_closed``) if the months were
    closed before; the caller's transaction then leaves nothing behind.
    """
    result = ShopResult()
    if Product.objects.filter(cooperative=cooperative).exists():
        return result
    if JournalEntry.objects.filter(cooperative=cooperative, idempotency_key__in=OLD_SUMMARY_KEYS).exists():
        # Loaded by a demo older than the gerai: its books already hold monthly sales summaries
        # (no stock behind them), so real sales on top would count the stock twice.
        result.notes.append(
            f"{cooperative.name}: gerai demo tidak dimuat (buku demo lama sudah berisi rekap penjualan)."
        )
        return result
    # The members who joined from June 2026 (demo.members); the 2025 founders (demo.shu) are not in its plan.
    members = list(
        Member.objects.filter(cooperative=cooperative, status=MemberStatus.AKTIF, joined_on__gte=JOIN_FIRST)
        .exclude(activated_on=None)
        .order_by("member_no")
    )
    if not members:
        return result
    today = timezone.localdate()
    with transaction.atomic():
        shop = _Shop(cooperative, serial, _shop_people(cooperative, actor, result), members)
        for day, _, run in shop.events():
            if day <= today:
                run()
        if shop.sales:
            Sale.objects.bulk_update(shop.sales, ["created_at"])
        result.sales = len(shop.sales)
        if shop.subsidies is not None:
            # The logbook's time of recording is the sale's, during the demo day's opening hours (the
            # service wrote "now"): the anomaly report would otherwise list every row as backdated.
            distributions = Distribution.objects.filter(cooperative=cooperative)
            distributions.update(
                recorded_at=Subquery(Sale.objects.filter(pk=OuterRef("sale_id")).values("created_at")[:1])
            )
            result.subsidy_programs = shop.subsidies.result.programs
            result.subsidy_recipients = shop.subsidies.result.recipients
            result.distributions = distributions.count()
    return result
