"""The Balikpapan demo: 34 KKMP as the seed articles describe them (domain.md §6.6, §9.1).

Three have gerai and gudang under construction (Graha Indah, Sepinggan Baru, Manggar),
seven are operating with Perum Bulog and PT Pertamina Patra Niaga as partners, and the
rest are at the proposal stage. The operating ones have members and savings
(``demo.members``); the demo user ``anggota`` is a member of Gunung Sari Ulu and sees the
portal. Three of them also have a closed tahun buku 2025 and its SHU (``demo.shu``).
Loading is idempotent: what exists is left as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from koperasi.cooperatives import services as coop_services
from koperasi.cooperatives.choices import FacilityKind, LegalKind, LegalStatus, PartnerKind, Stage, UnitStatus
from koperasi.cooperatives.models import Cooperative, StageChange
from koperasi.cooperatives.stages import STAGE_ORDER
from koperasi.core.errors import DomainError
from koperasi.core.models import CooperativeRole, RegionalRole
from koperasi.core.roles import Role
from koperasi.core.services import cooperative_user_add
from koperasi.demo.books import demo_books_post, demo_periods_close
from koperasi.demo.loans import LoansResult, demo_loans_load
from koperasi.demo.members import demo_members_load, demo_portal_link
from koperasi.demo.shop import ShopResult, demo_shop_load
from koperasi.demo.shu import ShuDemoResult, demo_shu_load
from koperasi.regions.models import Region
from koperasi.regions.selectors import village_list

DEMO_PASSWORD = "koperasi-demo"
KOTA_BALIKPAPAN = "64.71"
DEMO_COOP = "gunung-sari-ulu"  # where ketua, bendahara, pengawas, kasir and anggota work

UNDER_CONSTRUCTION = {"64.71.03.1006": 85, "64.71.05.1008": 70, "64.71.01.1001": 60}  # progress of the gerai
OPERATING = (
    "64.71.04.1001",  # Gunung Sari Ulu (Balikpapan Tengah)
    "64.71.04.1003",  # Karang Rejo
    "64.71.02.1001",  # Baru Ilir (Balikpapan Barat)
    "64.71.03.1001",  # Batu Ampar (Balikpapan Utara)
    "64.71.05.1002",  # Sepinggan (Balikpapan Selatan)
    "64.71.06.1005",  # Damai (Balikpapan Kota)
    "64.71.01.1002",  # Lamaru (Balikpapan Timur)
)
BANKS = ("Bank Rakyat Indonesia", "Bank Mandiri", "Bank Negara Indonesia", "Bank Syariah Indonesia")
NOTARIES = (
    "Notaris Siti Rahmawati, S.H., M.Kn.",
    "Notaris Andi Pratama, S.H., M.Kn.",
    "Notaris Dewi Lestari, S.H., M.Kn.",
)

# Dates from domain.md §6.6: musyawarah 19–24 May 2025, akta 28 Jul 2025, build from 21 Oct 2025.
STAGE_DATES = {
    Stage.USULAN: datetime.date(2025, 5, 10),
    Stage.MUSYAWARAH: datetime.date(2025, 5, 24),
    Stage.BERBADAN_HUKUM: datetime.date(2025, 7, 28),
    Stage.PERIZINAN: datetime.date(2025, 8, 11),
    Stage.PEMBANGUNAN: datetime.date(2025, 10, 21),
    Stage.BEROPERASI: datetime.date(2026, 1, 15),
}

DEMO_STAFF = (
    ("ketua", Role.KETUA, "Hj. Rahmah Yuliani"),
    ("sekretaris", Role.SEKRETARIS, "Agus Salim"),
    ("bendahara", Role.BENDAHARA, "Sri Wahyuni"),
    ("pengawas", Role.PENGAWAS, "Muhammad Iqbal"),
    ("kasir", Role.KASIR, "Nurul Hidayah"),
    ("anggota", Role.ANGGOTA, "Budi Santoso"),
)


@dataclass
class DemoResult:
    cooperatives_created: int = 0
    users_created: int = 0
    members_registered: int = 0
    savings_transactions: int = 0
    loans: int = 0
    loan_transactions: int = 0
    sales: int = 0
    subsidy_programs: int = 0
    subsidy_recipients: int = 0
    distributions: int = 0
    years_closed: int = 0
    shu_distributions: int = 0
    shu_payments: int = 0
    notes: list[str] = field(default_factory=list)

    def add_loans(self, loaded: LoansResult) -> None:
        self.loans += loaded.loans
        self.loan_transactions += loaded.transactions
        self.users_created += loaded.users_created

    def add_shop(self, loaded: ShopResult) -> None:
        self.sales += loaded.sales
        self.subsidy_programs += loaded.subsidy_programs
        self.subsidy_recipients += loaded.subsidy_recipients
        self.distributions += loaded.distributions
        self.users_created += loaded.users_created
        self.notes += loaded.notes

    def add_shu(self, loaded: ShuDemoResult) -> None:
        self.members_registered += loaded.members_registered
        self.savings_transactions += loaded.savings_transactions
        self.years_closed += loaded.years_closed
        self.shu_distributions += loaded.distributions
        self.shu_payments += loaded.payments
        self.users_created += loaded.users_created


def _target_stage(kelurahan_code: str) -> Stage:
    if kelurahan_code in OPERATING:
        return Stage.BEROPERASI
    if kelurahan_code in UNDER_CONSTRUCTION:
        return Stage.PEMBANGUNAN
    return Stage.USULAN


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _legal_records(coop: Cooperative, serial: int, target: Stage, actor: Any) -> None:
    """Record the documents the target stage needs, numbered per cooperative."""
    issued = LegalStatus.TERBIT
    coop_services.legal_record_set(
        cooperative=coop,
        kind=LegalKind.MUSYAWARAH,
        actor=actor,
        status=issued,
        number=f"BA/MUSKEL/{serial:02d}/V/2025",
        issued_on=STAGE_DATES[Stage.MUSYAWARAH],
    )
    if target == Stage.USULAN:
        coop_services.legal_record_set(
            cooperative=coop,
            kind=LegalKind.AKTA_PENDIRIAN,
            actor=actor,
            status=LegalStatus.DIPROSES,
            issuer=NOTARIES[serial % len(NOTARIES)],
            note="Menunggu penandatanganan akta",
        )
        return
    coop_services.legal_record_set(
        cooperative=coop,
        kind=LegalKind.AKTA_PENDIRIAN,
        actor=actor,
        status=issued,
        number=f"{serial:02d}",
        issued_on=STAGE_DATES[Stage.BERBADAN_HUKUM],
        issuer=NOTARIES[serial % len(NOTARIES)],
    )
    coop_services.legal_record_set(
        cooperative=coop,
        kind=LegalKind.SK_AHU,
        actor=actor,
        status=issued,
        number=f"AHU-00{serial:05d}.AH.01.29.TAHUN 2025",
        issued_on=STAGE_DATES[Stage.BERBADAN_HUKUM],
    )
    coop_services.legal_record_set(
        cooperative=coop,
        kind=LegalKind.NIB,
        actor=actor,
        status=issued,
        number=f"12{serial:02d}0825{serial:05d}"[:13].ljust(13, "0"),
        issued_on=STAGE_DATES[Stage.PERIZINAN],
    )
    coop_services.legal_record_set(
        cooperative=coop,
        kind=LegalKind.NPWP,
        actor=actor,
        status=issued,
        number=f"0{serial:02d}{'7254'}{serial:03d}{'721000'}"[:16].ljust(16, "0"),
        issued_on=STAGE_DATES[Stage.PERIZINAN],
    )
    coop_services.legal_record_set(
        cooperative=coop,
        kind=LegalKind.REKENING_BANK,
        actor=actor,
        status=issued,
        number=f"0{serial:02d}601000{serial:05d}",
        issued_on=STAGE_DATES[Stage.PERIZINAN],
        issuer=BANKS[serial % len(BANKS)],
        holder_name=coop.name,
    )
    coop_services.legal_record_set(
        cooperative=coop,
        kind=LegalKind.NOMOR_INDUK_KOPERASI,
        actor=actor,
        status=issued,
        number=f"6471{serial:06d}",
        issued_on=STAGE_DATES[Stage.PERIZINAN],
    )


def _facilities(coop: Cooperative, target: Stage, gerai_progress: int, actor: Any) -> None:
    started = STAGE_DATES[Stage.PEMBANGUNAN]
    if target == Stage.PEMBANGUNAN:
        coop_services.facility_save(
            cooperative=coop,
            actor=actor,
            kind=FacilityKind.GERAI,
            name="Gerai KKMP",
            progress_pct=gerai_progress,
            started_on=started,
            target_on=datetime.date(2026, 12, 31),
            address=f"Kelurahan {coop.kelurahan.name}",
        )
        coop_services.facility_save(
            cooperative=coop,
            actor=actor,
            kind=FacilityKind.GUDANG,
            name="Gudang KKMP",
            progress_pct=max(gerai_progress - 15, 0),
            started_on=started,
            target_on=datetime.date(2027, 2, 28),
        )
    elif target == Stage.BEROPERASI:
        coop_services.facility_save(
            cooperative=coop,
            actor=actor,
            kind=FacilityKind.GERAI,
            name="Gerai sembako",
            progress_pct=100,
            started_on=started,
            target_on=datetime.date(2026, 1, 10),
            completed_on=datetime.date(2026, 1, 10),
            address=f"Kelurahan {coop.kelurahan.name}",
        )


def _operate(coop: Cooperative, serial: int, actor: Any) -> None:
    """Open the units an operating KKMP runs and sign its partners (seed article 001)."""
    for code in ("kantor", "gerai_sembako"):
        coop_services.business_unit_save(
            cooperative=coop, actor=actor, code=code, status=UnitStatus.AKTIF, started_on=STAGE_DATES[Stage.BEROPERASI]
        )
    if serial % 2 == 0:
        coop_services.business_unit_save(
            cooperative=coop,
            actor=actor,
            code="simpan_pinjam",
            status=UnitStatus.AKTIF,
            started_on=STAGE_DATES[Stage.BEROPERASI],
        )
    lpg = coop_services.business_unit_save(
        cooperative=coop,
        actor=actor,
        code="pangkalan_lpg",
        name="Pangkalan LPG 3 kg",
        create=True,
        status=UnitStatus.AKTIF,
        started_on=datetime.date(2026, 2, 1),
    )
    coop_services.partner_save(
        cooperative=coop,
        actor=actor,
        name="Perum Bulog",
        kind=PartnerKind.BUMN,
        agreement_no=f"PKS-{serial:03d}/BULOG-KTM/XII/2025",
        start_on=datetime.date(2025, 12, 1),
        end_on=datetime.date(2026, 12, 31),
        scope="Penyaluran beras SPHP dan bahan pokok",
        business_unit_code="gerai_sembako",
    )
    coop_services.partner_save(
        cooperative=coop,
        actor=actor,
        name="PT Pertamina Patra Niaga",
        kind=PartnerKind.BUMN,
        agreement_no=f"{serial:03d}/PPN-KAL/I/2026",
        start_on=datetime.date(2026, 2, 1),
        end_on=datetime.date(2027, 1, 31),
        scope="Sub-pangkalan LPG 3 kg (MAP)",
        business_unit_code=lpg.code,
    )


def _walk_stages(coop: Cooperative, target: Stage, actor: Any) -> None:
    """Move through every stage up to ``target`` with the rules, then date the history."""
    for stage in STAGE_ORDER[1 : STAGE_ORDER.index(target) + 1]:
        coop_services.cooperative_stage_change(cooperative=coop, to_stage=stage, actor=actor)
    for change in StageChange.objects.filter(cooperative=coop):
        StageChange.objects.filter(pk=change.pk).update(changed_at=_at(STAGE_DATES[Stage(change.to_stage)]))


def cooperative_demo_create(kelurahan: Region, serial: int, actor: Any, result: DemoResult) -> Cooperative:
    """Register one demo cooperative and bring it to its stage as the rules allow.

    An operating one gets its books, then (three of them) its founders and tahun buku 2025
    closed with its SHU (``demo.shu``), then its members and savings, then its loans
    (``demo.loans``), then its gerai (``demo.shop``), and only then (the demo cooperative)
    are its July–September books closed: a closed month takes no savings, loan payments or sales.
    """
    target = _target_stage(kelurahan.code)
    with transaction.atomic():
        coop = coop_services.cooperative_register(
            code=slugify(kelurahan.name),
            name=f"Koperasi Kelurahan Merah Putih {kelurahan.name}",
            kelurahan_code=kelurahan.code,
            actor=actor,
            address=f"Kelurahan {kelurahan.name}, Kota Balikpapan",
        )
        _legal_records(coop, serial, target, actor)
        _facilities(coop, target, UNDER_CONSTRUCTION.get(kelurahan.code, 0), actor)
        if target == Stage.BEROPERASI:
            _operate(coop, serial, actor)
        _walk_stages(coop, target, actor)
        if target == Stage.BEROPERASI:
            demo_books_post(coop, serial, actor)
            result.add_shu(demo_shu_load(coop, actor))
            loaded = demo_members_load(coop, serial, actor)
            result.members_registered += loaded.registered
            result.savings_transactions += loaded.transactions
            result.add_loans(demo_loans_load(coop, actor))
            result.add_shop(demo_shop_load(coop, serial, actor))
            if coop.code == DEMO_COOP:
                demo_periods_close(coop, actor)
    return coop


def _members_catch_up(kelurahan: Region, serial: int, actor: Any, result: DemoResult) -> None:
    """Load the members, loans and gerai of an operating cooperative created by an earlier load (idempotent)."""
    coop = Cooperative.objects.select_related("kelurahan").get(kelurahan=kelurahan)
    if coop.stage != Stage.BEROPERASI:
        return
    try:
        with transaction.atomic():
            result.add_shu(demo_shu_load(coop, actor))
    except DomainError as exc:  # loaded before 2025 existed: the savings of 2026 leave no room for it
        result.notes.append(f"{coop.name}: tahun buku 2025 demo tidak dimuat ({exc.message}).")
    try:
        with transaction.atomic():
            loaded = demo_members_load(coop, serial, actor)
    except DomainError as exc:  # loaded before members existed, and its months since closed
        result.notes.append(f"{coop.name}: anggota demo tidak dimuat ({exc.message}).")
        return
    result.members_registered += loaded.registered
    result.savings_transactions += loaded.transactions
    try:
        with transaction.atomic():
            loans_loaded = demo_loans_load(coop, actor)
    except DomainError as exc:  # members loaded, but the months of the demo loans since closed
        result.notes.append(f"{coop.name}: pinjaman demo tidak dimuat ({exc.message}).")
        return
    result.add_loans(loans_loaded)
    try:
        with transaction.atomic():
            shop_loaded = demo_shop_load(coop, serial, actor)
    except DomainError as exc:  # members and loans loaded, but the months of the demo gerai since closed
        result.notes.append(f"{coop.name}: gerai demo tidak dimuat ({exc.message}).")
        return
    result.add_shop(shop_loaded)


def _user(username: str, *, full_name: str, superuser: bool = False) -> tuple[Any, bool]:
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, first_name=full_name, is_staff=superuser, is_superuser=superuser)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user, True


def demo_load() -> DemoResult:
    """Load the Balikpapan demo; running it again changes nothing."""
    result = DemoResult()
    with transaction.atomic():
        admin, created = _user("admin", full_name="Administrator", superuser=True)
        result.users_created += created
        RegionalRole.objects.get_or_create(user=admin, role=Role.ADMIN, region=None)
        dinas, created = _user("dinas", full_name="DKUMKMP Kota Balikpapan")
        result.users_created += created
        RegionalRole.objects.get_or_create(user=dinas, role=Role.DINAS, region_id=KOTA_BALIKPAPAN)

        existing = set(Cooperative.objects.values_list("kelurahan_id", flat=True))
        for serial, kelurahan in enumerate(village_list(within=KOTA_BALIKPAPAN).select_related("parent"), start=1):
            if kelurahan.code not in existing:
                cooperative_demo_create(kelurahan, serial, admin, result)
                result.cooperatives_created += 1
            elif kelurahan.code in OPERATING:
                _members_catch_up(kelurahan, serial, admin, result)

        demo_coop = Cooperative.objects.get(code=DEMO_COOP)
        for username, role, full_name in DEMO_STAFF:
            if not CooperativeRole.objects.filter(cooperative=demo_coop, user__username=username).exists():
                cooperative_user_add(
                    cooperative=demo_coop,
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    full_name=full_name,
                    actor=admin,
                )
                result.users_created += 1
        anggota = get_user_model().objects.get(username="anggota")
        demo_portal_link(demo_coop, anggota, admin)
    return result
