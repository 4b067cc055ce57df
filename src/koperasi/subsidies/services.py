"""Writes of the subsidised-goods module: programmes, monthly allocations, recipients, NIK-view audit.

Selling is ``shop.services.sale_create``; it asks ``subsidies.till`` under its product
lock. Every service here is one transaction with its audit row (DESIGN.md rules 2, 8).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.members.identity import nik_mask
from koperasi.members.models import Member
from koperasi.regions.models import VILLAGE_LEVELS, Region
from koperasi.shop import selectors as shop_selectors
from koperasi.shop.models import Product
from koperasi.shop.services._common import _date, _products_locked, _text
from koperasi.subsidies import calculations, reports, selectors
from koperasi.subsidies.choices import RecipientCategory, RulePer, RulePeriod
from koperasi.subsidies.models import (
    CATEGORY_FIELDS,
    Distribution,
    ProgramAllocation,
    ProgramRule,
    Recipient,
    SubsidyProgram,
)
from koperasi.subsidies.validation import RecipientData, recipient_data_check

MAX_LIMIT = 1_000_000  # a quota above a million units is a typing error
MAX_RULES = 8


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- Programmes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleInput:
    per: str
    period: str
    max_qty: int | None = None
    max_purchases: int | None = None


@dataclass(frozen=True)
class ProgramInput:
    name: str
    product: Product | int | str  # object, id or SKU
    partner: str
    price: int
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    monthly_allocation: int = 0
    categories: Sequence[str] = (RecipientCategory.RUMAH_TANGGA.value,)
    registration_required: bool = True
    rules: Sequence[RuleInput] = field(default_factory=tuple)
    note: str = ""


def _limit(value: Any, field_name: str, label: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.for_field(field_name, f"{label} harus bilangan bulat.", code="invalid")
    if not 0 < value <= MAX_LIMIT:
        raise ValidationError.for_field(field_name, f"{label} harus antara 1 dan {MAX_LIMIT}.", code="invalid")
    return value


def _rules_check(rules: Sequence[RuleInput], registration_required: bool) -> list[calculations.Rule]:
    if len(rules) > MAX_RULES:
        raise ValidationError.for_field("rules", f"Paling banyak {MAX_RULES} aturan kuota.")
    checked: list[calculations.Rule] = []
    seen: set[tuple[str, str]] = set()
    for i, rule in enumerate(rules, start=1):
        where = f"rules.{i}"
        if rule.per not in RulePer.values:
            raise ValidationError.for_field(f"{where}.per", "Aturan dihitung per nik atau per kk.")
        if rule.period not in RulePeriod.values:
            raise ValidationError.for_field(f"{where}.period", "Periode harus purchase, day, week atau month.")
        max_qty = _limit(rule.max_qty, f"{where}.max_qty", "Batas jumlah")
        max_purchases = _limit(rule.max_purchases, f"{where}.max_purchases", "Batas kali pembelian")
        if max_qty is None and max_purchases is None:
            raise ValidationError.for_field(f"{where}.max_qty", "Isi batas jumlah (max_qty) atau kali pembelian.")
        if rule.period == RulePeriod.PURCHASE and max_purchases is not None:
            raise ValidationError.for_field(
                f"{where}.max_purchases", "Aturan per pembelian hanya membatasi jumlah barang (max_qty)."
            )
        if rule.per == RulePer.KK and not registration_required:
            raise ValidationError.for_field(
                f"{where}.per", "Kuota per KK hanya bisa bila pembeli wajib terdaftar (KK diketahui dari pendaftaran)."
            )
        if (rule.per, rule.period) in seen:
            raise ValidationError.for_field(where, "Aturan dengan per dan periode yang sama sudah ada.")
        seen.add((rule.per, rule.period))
        checked.append(
            calculations.Rule(per=rule.per, period=rule.period, max_qty=max_qty, max_purchases=max_purchases)
        )
    return checked


def _categories_check(categories: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(categories))
    if not chosen:
        raise ValidationError.for_field("categories", "Pilih paling sedikit satu kategori penerima.")
    unknown = [c for c in chosen if c not in RecipientCategory.values]
    if unknown:
        raise ValidationError.for_field(
            "categories",
            f"Kategori tidak dikenal: {', '.join(map(str, unknown))} (rumah_tangga, usaha_mikro, petani, nelayan).",
        )
    return chosen


def _price_within_het(cooperative: Cooperative, product: Product, price: int, days: Iterable[datetime.date]) -> None:
    for day in days:
        limit = shop_selectors.product_het_limit(cooperative=cooperative, product=product, date=day)
        if limit is not None and price > limit:
            raise Conflict(
                f"Harga program {format_rupiah(price)} melebihi HET {product.name} {format_rupiah(limit)} "
                f"yang berlaku pada {day:%d/%m/%Y}.",
                code="price_above_het",
                detail={"price": [f"Paling tinggi {format_rupiah(limit)} (HET)."]},
            )


def program_create(*, cooperative: Cooperative, data: ProgramInput, actor: Any) -> SubsidyProgram:
    """Start a programme for one product with its price, validity, categories and quota rules.

    Raises ValidationError (fields, rules), NotFound-like ValidationError (unknown product)
    and Conflict: ``price_above_het`` (on its first day or today), ``program_overlap`` (the
    product already has a programme in force on some of these days).
    """
    name = _text(data.name, "name", "Nama program", max_length=150, required=True)
    partner = _text(data.partner, "partner", "Mitra", max_length=150, required=True)
    note = _text(data.note, "note", "Catatan", max_length=250)
    if isinstance(data.price, bool) or not isinstance(data.price, int) or data.price <= 0:
        raise ValidationError.for_field("price", "Harga harus rupiah bulat lebih dari nol.", code="amount_invalid")
    if data.price > 10**9:
        raise ValidationError.for_field("price", "Harga terlalu besar; periksa kembali.", code="amount_too_large")
    valid_from = _date(data.valid_from, "valid_from")
    valid_to = _date(data.valid_to, "valid_to") if data.valid_to is not None else None
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError.for_field("valid_to", "Tanggal berakhir tidak boleh sebelum tanggal mulai.")
    allocation = _limit(data.monthly_allocation or None, "monthly_allocation", "Alokasi bulanan") or 0
    categories = _categories_check(data.categories)
    rules = _rules_check(data.rules, bool(data.registration_required))
    with transaction.atomic():
        # The product row lock orders this against sales and other programmes of the product.
        product = next(iter(_products_locked(cooperative, [data.product]).values()))
        today = timezone.localdate()
        days = [valid_from] + ([today] if valid_from < today and (valid_to is None or today <= valid_to) else [])
        _price_within_het(cooperative, product, data.price, days)
        overlapping = (
            SubsidyProgram.objects.filter(cooperative=cooperative, product=product)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
            .filter(**({"valid_from__lte": valid_to} if valid_to is not None else {}))
            .first()
        )
        if overlapping is not None:
            until = f" s.d. {overlapping.valid_to:%d/%m/%Y}" if overlapping.valid_to else " tanpa batas akhir"
            raise Conflict(
                f"{product.name} sudah punya program {overlapping.name} (mulai {overlapping.valid_from:%d/%m/%Y}"
                f"{until}); akhiri dahulu program itu.",
                code="program_overlap",
            )
        program = SubsidyProgram.objects.create(
            cooperative=cooperative,
            name=name,
            product=product,
            partner=partner,
            price=data.price,
            valid_from=valid_from,
            valid_to=valid_to,
            monthly_allocation=allocation,
            registration_required=bool(data.registration_required),
            note=note,
            created_by=_actor_or_none(actor),
            **{f: code in categories for code, f in CATEGORY_FIELDS.items()},
        )
        ProgramRule.objects.bulk_create(
            [
                ProgramRule(
                    cooperative=cooperative,
                    program=program,
                    per=r.per,
                    period=r.period,
                    max_qty=r.max_qty,
                    max_purchases=r.max_purchases,
                )
                for r in rules
            ]
        )
        audit_record(
            actor=actor,
            action="subsidies.program.create",
            cooperative=cooperative,
            target=program,
            data={
                "product": product.sku,
                "price": program.price,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat() if valid_to else None,
                "rules": [r.describe(product.unit) for r in rules],
                "categories": categories,
            },
        )
    return selectors.program_get(cooperative=cooperative, program_id=program.pk)


def _program_locked(cooperative: Cooperative, program: SubsidyProgram | int) -> SubsidyProgram:
    program_id = program.pk if isinstance(program, SubsidyProgram) else program
    found = SubsidyProgram.objects.filter(cooperative=cooperative, pk=program_id).select_for_update().first()
    if found is None:
        raise NotFound("Program subsidi tidak ditemukan.", code="program_not_found")
    return found


def program_end(
    *, cooperative: Cooperative, program: SubsidyProgram | int, valid_to: datetime.date, reason: str, actor: Any
) -> SubsidyProgram:
    """End a programme on ``valid_to`` (its last day); a new programme may then start the day after.

    Raises NotFound, ValidationError (date before its start or before its last sale, reason)
    and Conflict (``program_ended``: it already ends on or before that day).
    """
    valid_to = _date(valid_to, "valid_to")
    reason = _text(reason, "reason", "Alasan", max_length=250, required=True)
    with transaction.atomic():
        # A sale reads the programme's dates under the product's row lock (ADR 0006): take that lock
        # first (the sale's order), so a sale in flight commits before the last distribution is read.
        program_id = program.pk if isinstance(program, SubsidyProgram) else program
        product_ids = SubsidyProgram.objects.filter(cooperative=cooperative, pk=program_id).values_list("product_id")
        _products_locked(cooperative, [pid for (pid,) in product_ids])
        found = _program_locked(cooperative, program)
        if found.valid_to is not None and found.valid_to <= valid_to:
            raise Conflict(f"Program ini sudah berakhir pada {found.valid_to:%d/%m/%Y}.", code="program_ended")
        if valid_to < found.valid_from:
            raise ValidationError.for_field("valid_to", "Tanggal berakhir tidak boleh sebelum tanggal mulai.")
        last = Distribution.objects.filter(program=found).order_by("-date").values_list("date", flat=True).first()
        if last is not None and valid_to < last:
            raise ValidationError.for_field(
                "valid_to", f"Sudah ada penyaluran pada {last:%d/%m/%Y}; tanggal berakhir paling awal hari itu."
            )
        previous = found.valid_to
        found.valid_to = valid_to
        found.save(update_fields=["valid_to"])
        audit_record(
            actor=actor,
            action="subsidies.program.end",
            cooperative=cooperative,
            target=found,
            data={
                "valid_to": valid_to.isoformat(),
                "was": previous.isoformat() if previous else None,
                "reason": reason,
            },
        )
    return selectors.program_get(cooperative=cooperative, program_id=found.pk)


def allocation_set(
    *,
    cooperative: Cooperative,
    program: SubsidyProgram | int,
    month: datetime.date,
    qty: int,
    reference: str = "",
    actor: Any,
) -> ProgramAllocation:
    """Record the partner's allocation for one month (replacing an earlier figure for that month).

    Raises NotFound, ValidationError (quantity, month outside the programme).
    """
    month = _date(month, "month").replace(day=1)
    qty_checked = _limit(qty, "qty", "Alokasi")
    assert qty_checked is not None or qty is None
    if qty_checked is None:
        raise ValidationError.for_field("qty", "Alokasi wajib diisi.")
    reference = _text(reference, "reference", "Nomor alokasi", max_length=100)
    with transaction.atomic():
        found = _program_locked(cooperative, program)
        month_end = calculations.window("month", month)
        assert month_end is not None
        if month_end[1] < found.valid_from or (found.valid_to is not None and month > found.valid_to):
            raise ValidationError.for_field("month", "Bulan itu di luar masa berlaku program.")
        allocation, created = ProgramAllocation.objects.update_or_create(
            cooperative=cooperative,
            program=found,
            month=month,
            defaults={"qty": qty_checked, "reference": reference, "recorded_by": _actor_or_none(actor)},
        )
        audit_record(
            actor=actor,
            action="subsidies.allocation.set",
            cooperative=cooperative,
            target=allocation,
            data={"program": found.pk, "month": month.isoformat(), "qty": qty_checked, "new": created},
        )
    return allocation


# --- Recipients --------------------------------------------------------------------------------


def _valid_kelurahan(codes: Iterable[str]) -> set[str]:
    """Return the codes that name a kelurahan/desa, read as ``recipient_data_check`` reads them (spaces, NUL)."""
    # A raw NUL would reach PostgreSQL (500) and " 64.71.01.1001 " would miss the row the check then asks for.
    wanted = {" ".join(c.replace("\x00", " ").split()) for c in codes} - {""}
    if not wanted:
        return set()
    return set(Region.objects.filter(code__in=wanted, level__in=VILLAGE_LEVELS).values_list("code", flat=True))


def recipient_check(data: dict[str, Any]) -> RecipientData:
    """Return the checked data of one registration. Raises ValidationError with every field's reasons."""
    checked, problems = recipient_data_check(
        data, today=timezone.localdate(), kelurahan_codes=_valid_kelurahan([str(data.get("kelurahan_code") or "")])
    )
    if checked is None:
        first = next(iter(problems.values()))[0]
        raise ValidationError(first, detail=problems)
    return checked


def _member_for(cooperative: Cooperative, nik: str) -> Member | None:
    return Member.objects.filter(cooperative=cooperative, nik=nik).order_by("-pk").first()


def recipient_register(*, cooperative: Cooperative, data: dict[str, Any], actor: Any) -> Recipient:
    """Register a person (NIK + KK + category; NIB for usaha mikro) to buy subsidised goods here.

    A member with the same NIK is linked. Raises ValidationError (per field) and Conflict
    (``recipient_exists``: this NIK is already registered, active or not).
    """
    checked = recipient_check(data)
    with transaction.atomic():
        existing = selectors.recipient_by_nik(cooperative=cooperative, nik=checked.nik)
        if existing is not None:
            raise _exists(existing)
        try:
            with transaction.atomic():
                recipient = Recipient.objects.create(
                    cooperative=cooperative,
                    nik=checked.nik,
                    kk=checked.kk,
                    name=checked.name,
                    category=checked.category,
                    nib=checked.nib,
                    business_name=checked.business_name,
                    address=checked.address,
                    phone=checked.phone,
                    kelurahan_id=checked.kelurahan_code or None,
                    member=_member_for(cooperative, checked.nik),
                    registered_on=checked.registered_on,
                    created_by=_actor_or_none(actor),
                )
        except IntegrityError:
            found = selectors.recipient_by_nik(cooperative=cooperative, nik=checked.nik)
            if found is None:
                raise
            raise _exists(found) from None
        audit_record(
            actor=actor,
            action="subsidies.recipient.register",
            cooperative=cooperative,
            target=recipient,
            data={"nik": recipient.nik_masked, "category": recipient.category},
        )
    return recipient


def _exists(existing: Recipient) -> Conflict:
    state = "" if existing.is_active else " tetapi nonaktif; aktifkan kembali bila berhak"
    return Conflict(
        f"NIK {existing.nik_masked} sudah terdaftar atas nama {existing.name}{state}.",
        code="recipient_exists",
        detail={"nik": ["NIK ini sudah terdaftar."], "recipient_id": [str(existing.pk)]},
    )


def _recipient_locked(cooperative: Cooperative, recipient: Recipient | int) -> Recipient:
    recipient_id = recipient.pk if isinstance(recipient, Recipient) else recipient
    found = Recipient.objects.filter(cooperative=cooperative, pk=recipient_id).select_for_update().first()
    if found is None:
        raise NotFound("Penerima tidak ditemukan.", code="recipient_not_found")
    return found


UPDATABLE = ("kk", "name", "category", "nib", "business_name", "address", "phone", "kelurahan_code")


def recipient_update(
    *, cooperative: Cooperative, recipient: Recipient | int, data: dict[str, Any], actor: Any
) -> Recipient:
    """Change a recipient's KK, name, category, NIB or address (the NIK never changes).

    Fields missing from ``data`` keep their value. Raises NotFound and ValidationError.
    """
    with transaction.atomic():
        found = _recipient_locked(cooperative, recipient)
        current = {
            "nik": found.nik,
            "kk": found.kk,
            "name": found.name,
            "category": found.category,
            "nib": found.nib,
            "business_name": found.business_name,
            "address": found.address,
            "phone": found.phone,
            "kelurahan_code": found.kelurahan_id or "",
            "registered_on": found.registered_on,
        }
        merged = {**current, **{k: v for k, v in data.items() if k in UPDATABLE}}
        checked = recipient_check(merged)
        changes = {
            k: {"from": current[k], "to": getattr(checked, k)}
            for k in UPDATABLE
            if str(current[k]) != str(getattr(checked, k))
        }
        for k in ("kk", "name", "category", "nib", "business_name", "address", "phone"):
            setattr(found, k, getattr(checked, k))
        found.kelurahan_id = checked.kelurahan_code or None
        found.save()
        if "kk" in changes:
            changes["kk"] = {"from": nik_mask(str(current["kk"])), "to": found.kk_masked}
        audit_record(
            actor=actor, action="subsidies.recipient.update", cooperative=cooperative, target=found, data=changes
        )
    return found


def recipient_deactivate(
    *, cooperative: Cooperative, recipient: Recipient | int, reason: str, date: datetime.date | None = None, actor: Any
) -> Recipient:
    """Stop a recipient from buying (moved away, not eligible, deceased), with the reason.

    Raises NotFound, ValidationError (reason, date) and Conflict (``recipient_inactive``).
    """
    reason = _text(reason, "reason", "Alasan", max_length=250, required=True)
    day = timezone.localdate() if date is None else _date(date, "date")
    if day > timezone.localdate():
        raise ValidationError.for_field("date", "Tanggal tidak boleh setelah hari ini.", code="date_future")
    with transaction.atomic():
        found = _recipient_locked(cooperative, recipient)
        if not found.is_active:
            raise Conflict("Penerima ini sudah nonaktif.", code="recipient_inactive")
        found.is_active = False
        found.deactivated_on = day
        found.deactivation_reason = reason
        found.save(update_fields=["is_active", "deactivated_on", "deactivation_reason"])
        audit_record(
            actor=actor,
            action="subsidies.recipient.deactivate",
            cooperative=cooperative,
            target=found,
            data={"reason": reason, "date": day.isoformat()},
        )
    return found


def recipient_reactivate(*, cooperative: Cooperative, recipient: Recipient | int, note: str, actor: Any) -> Recipient:
    """Let a deactivated recipient buy again. Raises NotFound, ValidationError and Conflict (``recipient_active``)."""
    note = _text(note, "note", "Catatan", max_length=250, required=True)
    with transaction.atomic():
        found = _recipient_locked(cooperative, recipient)
        if found.is_active:
            raise Conflict("Penerima ini masih aktif.", code="recipient_active")
        was = {"date": found.deactivated_on.isoformat() if found.deactivated_on else None}
        was["reason"] = found.deactivation_reason
        found.is_active = True
        found.deactivated_on = None
        found.deactivation_reason = ""
        found.save(update_fields=["is_active", "deactivated_on", "deactivation_reason"])
        audit_record(
            actor=actor,
            action="subsidies.recipient.reactivate",
            cooperative=cooperative,
            target=found,
            data={"note": note, "was_deactivated": was},
        )
    return found


# --- Personal data ------------------------------------------------------------------------------


def nik_view_record(
    *, cooperative: Cooperative, actor: Any, what: str, target: Any = None, data: dict[str, Any] | None = None
) -> None:
    """Audit that ``actor`` was shown full NIK/KK numbers (``what``: logbook, export, recipient, ...).

    Call it when the unmasked data is rendered; the caller checks the role may see it.
    """
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="subsidies.nik.unmasked",
            cooperative=cooperative,
            target=target,
            data={"what": what, **(data or {})},
        )


def report_nik_view_record(
    *, cooperative: Cooperative, actor: Any, spec: Any, program: Any, result: Any, file_format: str
) -> None:
    """Audit a report answer (page, JSON or file) that shows full NIK/KK numbers; do nothing if it shows none."""
    data = reports.unmasked_audit_data(spec, result, file_format)
    if data is not None:
        nik_view_record(cooperative=cooperative, actor=actor, what=spec.slug, target=program, data=data)
