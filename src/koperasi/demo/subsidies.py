"""Demo subsidised goods (issue 7): the LPG 3 kg and SPHP programmes of an operating KKMP's gerai.

``demo.shop`` calls this module as its gerai runs; everything goes through
``koperasi.subsidies.services`` and the till of ``shop.services.sale_create``:

- 1 July 2026, after the catalogue: the ketua starts two programmes with the domain.md §11
  defaults (``subsidies.defaults``): *LPG 3 kg bersubsidi* of PT Pertamina Patra Niaga at
  Rp19.000 a tabung (Balikpapan's HET), 300 tabung a month, 10 tabung per KK per month and
  one purchase per NIK per day, every category; *Beras SPHP* of Perum Bulog at the shelf
  price of Rp65.500 per 5 kg (the zone 2 HET), 2 packs per NIK per day, rumah tangga only.
- The same day the cashier imports the recipients' list (``subsidies.importing``, the Excel
  import's service): the aktif members (NIK and KK from their membership; about one in eight
  has not brought the KK yet and is registered at the counter on the first purchase), six
  non-member households (two adults share a KK), a nelayan, and the five kitchens that buy LPG
  for their business as usaha mikro with NIB. Members who become aktif later are imported at
  the start of each month.
- On the first of each month the bendahara records the partner's allocation: LPG 300
  tabung (280 in August), SPHP what Bulog delivered (July and September).
- 1 September: the ketua deactivates a household that moved to Samarinda (at Gunung Sari Ulu
  Rudi Hartono, NIK ``6471041803808000``: the README's example of a refusal at the till).
- At the till every sale of LPG or SPHP carries the buyer's NIK: the member's card, the
  kitchen owner's NIK, or the NIK a non-member household shows (registered at the counter
  if new); an LPG sale carries the MAP transaction number (``MAP-2607-000123``). A wanted
  quantity above what the buyer's quota still allows would be cut to it, so the demo writes
  only valid sales; the plan needs no cut today: the sales and totals are those the gerai
  had before the programmes. Each logbook row is then dated at its sale's time of day, as
  ``demo.shop`` dates the sales (the service records "now", the day of the load).

The gerai's deliveries are the demo's (``demo.shop``), a sample of days: far below the
partner's allocation. Seeded by the cooperative's code, so every load gives the same data.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from koperasi.cooperatives.models import Cooperative
from koperasi.demo.members import FAMILY, FEMALE, MALE, STREETS, _nik
from koperasi.members.models import Member
from koperasi.shop.models import Product
from koperasi.subsidies import defaults, importing, selectors
from koperasi.subsidies import services as subsidies
from koperasi.subsidies.choices import RecipientCategory
from koperasi.subsidies.models import Recipient, SubsidyProgram

D = datetime.date
LPG, SPHP = "LPG3", "SPHP5"
LPG_ALLOCATION = {7: 300, 8: 280, 9: 300, 10: 300}  # the Pertamina agent's monthly allocation, in tabung
WITHOUT_KK_EVERY = 8  # one member in eight registers at the counter, on the first purchase
HOUSEHOLDS = 6
MOVED_AWAY = D(2026, 9, 1)
MOVED_REASON = "Pindah domisili ke Samarinda (surat keterangan pindah dari kelurahan)"


@dataclass
class SubsidiesResult:
    programs: int = 0
    recipients: int = 0


@dataclass(frozen=True)
class TillSale:
    """What the till is given for one sale: the buyer's NIK ("" for a member's card), lines, MAP reference."""

    nik: str
    lines: dict[str, int]
    reference: str


def _rules(programme: defaults.ProgramDefaults) -> list[subsidies.RuleInput]:
    return [subsidies.RuleInput(r.per, r.period, r.max_qty, r.max_purchases) for r in programme.rules]


class DemoSubsidies:
    """One cooperative's programmes and recipients; ``demo.shop`` asks it at the till."""

    def __init__(
        self,
        cooperative: Cooperative,
        serial: int,
        people: dict[str, Any],
        products: dict[str, Product],
        kitchens: Sequence[str],
    ) -> None:
        self.coop = cooperative
        self.serial = serial
        self.ketua, self.bendahara, self.kasir = people["ketua"], people["bendahara"], people["kasir"]
        self.products = products
        self.kitchens = tuple(kitchens)
        # Its own generator: the shop's draws (and so its sales) stay as they were without programmes.
        self.rng = random.Random(f"koperasi-demo-subsidi-{cooperative.code}")
        self.region6 = cooperative.kelurahan_id[:8].replace(".", "")
        self.programs: dict[str, SubsidyProgram] = {}
        self.by_nik: dict[str, Recipient] = {}
        self.households: list[Recipient] = []  # non-member rumah tangga, for SPHP bought without a card
        self.owners: dict[str, Recipient] = {}  # kitchen name → its owner, usaha mikro
        self.without_kk: set[int] = set()  # member ids registered only at the counter
        self.result = SubsidiesResult()
        self.map_no = 100 + self.rng.randint(0, 800)  # the MAP transaction counter of the pangkalan

    # --- Set-up --------------------------------------------------------------------------------
    def open(self, day: datetime.date, members: Sequence[Member]) -> None:
        """Start both programmes and register the first recipients (1 July)."""
        lpg, sphp = defaults.LPG_3KG, defaults.SPHP
        for sku, programme, allocation in ((LPG, lpg, lpg.monthly_allocation), (SPHP, sphp, 0)):
            product = self.products[sku]
            self.programs[sku] = subsidies.program_create(
                cooperative=self.coop,
                data=subsidies.ProgramInput(
                    name=programme.name,
                    product=product,
                    partner=programme.partner,
                    price=product.price,
                    valid_from=day,
                    monthly_allocation=allocation,
                    categories=programme.categories,
                    rules=_rules(programme),
                    note="Sesuai kontrak pangkalan" if sku == LPG else "Penyaluran SPHP melalui gerai koperasi",
                ),
                actor=self.ketua,
            )
            self.result.programs += 1
        self.without_kk = {m.pk for i, m in enumerate(members) if i % WITHOUT_KK_EVERY == WITHOUT_KK_EVERY - 1}
        rows = self._member_rows(day, members)
        rows.append(self._moved_away_row())
        households: list[dict[str, Any]] = []
        for i in range(HOUSEHOLDS):
            kk = self._kk() if i % 2 == 0 else households[-1]["kk"]  # two adults of one household
            households.append(self._person(kk=kk))
        rows += households
        nelayan = {**self._person(female=False), "address": "Kampung nelayan RT 07"}
        rows.append({**nelayan, "category": RecipientCategory.NELAYAN})
        owners = {}
        for kitchen in self.kitchens:
            owner = self._person()
            nib = f"9120{self.rng.randint(0, 10**9 - 1):09d}"  # OSS numbers start 9120
            owners[kitchen] = {**owner, "category": RecipientCategory.USAHA_MIKRO, "nib": nib, "business_name": kitchen}
        rows += owners.values()
        self._import(day, rows, f"penerima-subsidi-{self.coop.code}-{day:%Y%m}.xlsx")
        self.households = [self.by_nik[h["nik"]] for h in households]
        self.owners = {kitchen: self.by_nik[owner["nik"]] for kitchen, owner in owners.items()}

    def members_register(self, day: datetime.date, members: Iterable[Member]) -> None:
        """Register the members aktif by ``day`` who are not registered yet (all but those without their KK)."""
        rows = self._member_rows(day, members)
        if rows:
            self._import(day, rows, f"penerima-subsidi-anggota-baru-{day:%Y%m}.xlsx")

    def allocations(self, day: datetime.date, sphp_delivered: int) -> None:
        """Record the partners' allocation of ``day``'s month: LPG from the agent, SPHP as Bulog delivered."""
        month = day.replace(day=1)
        lpg = LPG_ALLOCATION.get(day.month)
        if lpg is not None:
            subsidies.allocation_set(
                cooperative=self.coop,
                program=self.programs[LPG],
                month=month,
                qty=lpg,
                reference=f"ALK/PPN-KAL/{self.serial:02d}/{day:%m%y}",
                actor=self.bendahara,
            )
        if sphp_delivered > 0:
            subsidies.allocation_set(
                cooperative=self.coop,
                program=self.programs[SPHP],
                month=month,
                qty=sphp_delivered,
                reference=f"DO/BLG-KTM/{self.serial:02d}/{day:%m%y}",
                actor=self.bendahara,
            )

    def moved_away(self, day: datetime.date) -> None:
        """The household that moved to Samarinda may buy no more."""
        recipient = self.by_nik[self._moved_away_nik()]
        self.by_nik[recipient.nik] = subsidies.recipient_deactivate(
            cooperative=self.coop, recipient=recipient, reason=MOVED_REASON, date=day, actor=self.ketua
        )

    # --- The till ------------------------------------------------------------------------------
    def covers(self, lines: dict[str, int]) -> bool:
        return any(sku in self.programs for sku in lines)

    def till(
        self, day: datetime.date, *, member: Member | None, nik: str, name: str, lines: dict[str, int]
    ) -> TillSale:
        """Return the NIK, lines (cut to the buyer's quota) and MAP reference of one sale with subsidised goods.

        A buyer not registered yet (a member without the KK before, a new household) is
        registered at the counter first, as the pangkalan does with the KTP and KK.
        """
        if member is not None:
            buyer = member.nik
            if buyer not in self.by_nik:
                self._register(day, self._member_data(member))
        elif name in self.owners:
            buyer = self.owners[name].nik
        elif nik:
            buyer = nik
            if buyer not in self.by_nik:
                female = int(nik[6:8]) > 40
                self._register(day, self._person(nik=nik, female=female))
        else:
            active = [h for h in self.households if self.by_nik[h.nik].is_active]
            buyer = self.rng.choice(active).nik
        cut = dict(lines)
        for sku, program in self.programs.items():
            if sku not in cut:
                continue
            usage = selectors.program_usage(cooperative=self.coop, program=program, nik=buyer, day=day)
            allowed = cut[sku] if usage.remaining is None else min(cut[sku], usage.remaining)
            if usage.refusal or allowed <= 0:
                del cut[sku]
            else:
                cut[sku] = allowed
        reference = ""
        if LPG in cut:
            self.map_no += 1
            reference = f"MAP-{day:%y%m}-{self.map_no:06d}"
        return TillSale(nik="" if member is not None else buyer, lines=cut, reference=reference)

    # --- People --------------------------------------------------------------------------------
    def _moved_away_nik(self) -> str:
        """Fixed, not drawn (the README cites Gunung Sari Ulu's); the birth day differs between cooperatives."""
        return _nik(self.region6, D(1980, 3, 1 + self.serial % 28), False, 8000)

    def _moved_away_row(self) -> dict[str, Any]:
        return {
            "nik": self._moved_away_nik(),
            "kk": f"{self.region6}150315{8000 + self.serial:04d}",
            "name": "Rudi Hartono",
            "address": "Jl. Pelita No. 21 RT 11",
            "category": RecipientCategory.RUMAH_TANGGA,
        }

    def _kk(self) -> str:
        issued = D(self.rng.randint(2008, 2024), self.rng.randint(1, 12), self.rng.randint(1, 28))
        return f"{self.region6}{issued:%d%m%y}{self.rng.randint(1, 9999):04d}"

    def _person(self, *, nik: str = "", kk: str = "", female: bool | None = None) -> dict[str, Any]:
        """A generated non-member household: a valid NIK of the kecamatan (serials 8001–8999), KK, name, address."""
        if female is None:
            female = self.rng.random() < 0.55
        if not nik:
            birth = D(self.rng.randint(1960, 2000), self.rng.randint(1, 12), self.rng.randint(1, 28))
            nik = _nik(self.region6, birth, female, 8001 + self.rng.randint(0, 998))
        given = self.rng.choice(FEMALE if female else MALE)
        return {
            "nik": nik,
            "kk": kk or self._kk(),
            "name": f"{given} {self.rng.choice(FAMILY)}",
            "address": f"{self.rng.choice(STREETS)} No. {self.rng.randint(1, 120)} RT {self.rng.randint(1, 45):02d}",
            "category": RecipientCategory.RUMAH_TANGGA,
        }

    def _member_data(self, member: Member) -> dict[str, Any]:
        return {
            "nik": member.nik,
            "kk": member.kk,
            "name": member.name,
            "address": member.address,
            "phone": member.phone,
            "category": RecipientCategory.RUMAH_TANGGA,
        }

    def _member_rows(self, day: datetime.date, members: Iterable[Member]) -> list[dict[str, Any]]:
        """The members aktif by ``day``, not registered yet, who brought their KK."""
        return [
            self._member_data(m)
            for m in members
            if m.activated_on is not None
            and m.activated_on <= day
            and m.pk not in self.without_kk
            and m.nik not in self.by_nik
        ]

    def _import(self, day: datetime.date, rows: list[dict[str, Any]], file_name: str) -> None:
        """Register ``rows`` as the cashier's Excel import does (one service call; a NIK drawn twice once)."""
        unique = list({row["nik"]: row for row in rows}.values())
        result = importing.recipients_import(
            cooperative=self.coop,
            rows=[
                {**row, "row_no": n, "kelurahan_code": self.coop.kelurahan_id, "registered_on": day}
                for n, row in enumerate(unique, start=2)
            ],
            actor=self.kasir,
            today=day,
            file_name=file_name,
        )
        assert not result.skipped, [(r.row_no, r.reasons) for r in result.rows if not r.ok]
        niks = [row["nik"] for row in unique]
        self.by_nik.update({r.nik: r for r in Recipient.objects.filter(cooperative=self.coop, nik__in=niks)})
        self.result.recipients += result.created

    def _register(self, day: datetime.date, data: dict[str, Any]) -> None:
        """Register one buyer at the counter (KTP and KK shown), before the sale."""
        recipient = subsidies.recipient_register(
            cooperative=self.coop,
            data={**data, "kelurahan_code": self.coop.kelurahan_id, "registered_on": day},
            actor=self.kasir,
        )
        self.by_nik[recipient.nik] = recipient
        self.result.recipients += 1
