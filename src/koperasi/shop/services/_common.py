"""Checks, numbering, locations and row locks shared by the gerai's services."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from koperasi.cooperatives.models import BusinessUnit, Cooperative
from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.ledger import selectors as ledger_selectors
from koperasi.shop import calculations, selectors
from koperasi.shop.choices import (
    LocationKind,
)
from koperasi.shop.models import (
    DocumentCounter,
    Location,
    Product,
    StockLevel,
    StockMove,
    Supplier,
)

MAX_AMOUNT = 10**12  # Rp1 triliun: far above any shop document, far below 2**63
MAX_QTY = 10**7  # ten million units in one line is a typing error
MAX_LINES = 200
KEY_PREFIX = "shop:"  # ledger idempotency keys share one namespace per cooperative
NUMBER_PREFIX = {
    "sale": "NT",
    "order": "PO",
    "receipt": "TB",
    "session": "SK",
    "transfer": "MT",
    "count": "SO",
}


# --- Small checks ------------------------------------------------------------------------------

T = TypeVar("T")


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _key(idempotency_key: str | None) -> str | None:
    return (idempotency_key or "").strip()[:90] or None


def _text(value: Any, field: str, label: str, *, max_length: int, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise ValidationError.for_field(field, f"{label} tidak boleh berisi karakter NUL.")
    if required and not text:
        raise ValidationError.for_field(field, f"{label} wajib diisi.")
    if len(text) > max_length:
        raise ValidationError.for_field(field, f"{label} paling banyak {max_length} karakter.")
    return text


def _amount(value: Any, field: str, label: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.for_field(field, f"{label} harus rupiah bulat tanpa desimal.", code="amount_invalid")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError.for_field(
            field,
            f"{label} harus lebih dari nol." if not allow_zero else f"{label} tidak boleh negatif.",
            code="amount_not_positive",
        )
    if value > MAX_AMOUNT:
        raise ValidationError.for_field(field, f"{label} terlalu besar; periksa kembali.", code="amount_too_large")
    return value


def _qty(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.for_field(field, "Jumlah barang harus bilangan bulat.", code="qty_invalid")
    if value <= 0:
        raise ValidationError.for_field(field, "Jumlah barang harus lebih dari nol.", code="qty_not_positive")
    if value > MAX_QTY:
        raise ValidationError.for_field(field, "Jumlah barang terlalu besar; periksa kembali.", code="qty_too_large")
    return value


def _line_id(value: Any, field: str = "lines") -> int:
    """Return a row id named in a form or request (an int, or a string of digits)."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        raise ValidationError.for_field(field, "Baris tidak dikenal.", code="line_unknown")
    number = int(str(value).strip())
    if number > 2**62:
        raise ValidationError.for_field(field, "Baris tidak dikenal.", code="line_unknown")
    return number


def _percent(value: Any, field: str, label: str) -> Decimal:
    try:
        rate = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError.for_field(field, f"{label} harus angka persen, mis. 10 atau 7,5.") from None
    if not rate.is_finite() or rate < 0 or rate > 100 or rate != rate.quantize(Decimal("0.01")):
        raise ValidationError.for_field(field, f"{label} harus antara 0 dan 100 % (paling banyak 2 desimal).")
    return rate


LAST_DATE = datetime.date(9998, 12, 31)  # the books read "every posting" up to 9999-01-01 (savings.FAR_FUTURE)


def _date(value: Any, field: str = "date") -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValidationError.for_field(field, "Tanggal wajib diisi.")
    if value > LAST_DATE:
        raise ValidationError.for_field(field, "Tanggal terlalu jauh di masa depan; periksa kembali.")
    return value


def _event_date(value: Any, field: str = "date") -> datetime.date:
    """Return the date of something that happened (a sale, receipt, payment, count): not after today."""
    day = _date(value, field)
    if day > timezone.localdate():
        raise ValidationError.for_field(field, "Tanggal tidak boleh setelah hari ini.", code="date_future")
    return day


def _period_open(cooperative: Cooperative, date: datetime.date) -> None:
    """Refuse a date in a closed period before any row is written (the ledger would refuse it anyway)."""
    from koperasi.ledger.models import Period
    from koperasi.ledger.periods import month_start

    if Period.objects.filter(cooperative=cooperative, month=month_start(date), is_closed=True).exists():
        raise Conflict(
            f"Periode {date:%m/%Y} sudah ditutup; transaksi tidak dapat dicatat pada tanggal itu.",
            code="period_closed",
            detail={"date": [f"Periode {date:%m/%Y} sudah ditutup."]},
        )


def next_number(cooperative: Cooperative, kind: str) -> str:
    """Take the next gapless number of a kind of document (``NT-000001``); call inside the writer's transaction."""
    counters = DocumentCounter.objects.filter(cooperative=cooperative, kind=kind)
    if not counters.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(cooperative=cooperative, kind=kind, last=1)
        except IntegrityError:
            counters.update(last=F("last") + 1)  # another writer created it first
    last = counters.values_list("last", flat=True).get()
    return f"{NUMBER_PREFIX[kind]}-{last:06d}"


def locations_ensure(cooperative: Cooperative) -> dict[str, Location]:
    """Create the default gerai and gudang if the cooperative has none; return locations by code."""
    existing = {loc.code: loc for loc in Location.objects.filter(cooperative=cooperative)}
    if not existing:
        Location.objects.bulk_create(
            [Location(cooperative=cooperative, code=c, name=n, kind=k) for c, n, k in selectors.DEFAULT_LOCATIONS],
            ignore_conflicts=True,
        )
        existing = {loc.code: loc for loc in Location.objects.filter(cooperative=cooperative)}
    return existing


def _location(cooperative: Cooperative, location: Location | int | str | None) -> Location:
    """Return the named location, or the first active gerai (the default for sales and direct purchases)."""
    if isinstance(location, Location):
        if location.cooperative_id != cooperative.pk:
            raise NotFound("Lokasi stok tidak ditemukan.", code="location_not_found")
        return location
    if location not in (None, ""):
        try:
            return selectors.location_get(cooperative=cooperative, location_id=location)
        except NotFound:
            # A cooperative's first stock document may name a default location not made yet.
            if location not in {code for code, _, _ in selectors.DEFAULT_LOCATIONS}:
                raise
            found = locations_ensure(cooperative).get(str(location))
            if found is None:
                raise
            return found
    locations = locations_ensure(cooperative)
    gerai = [loc for loc in locations.values() if loc.kind == LocationKind.GERAI and loc.is_active]
    if not gerai:
        raise Conflict("Koperasi belum memiliki lokasi gerai aktif.", code="location_missing")
    return min(gerai, key=lambda loc: loc.pk)


def _business_unit(cooperative: Cooperative, unit: BusinessUnit | str | None) -> BusinessUnit:
    if isinstance(unit, BusinessUnit):
        if unit.cooperative_id != cooperative.pk:
            raise ValidationError.for_field("business_unit", "Unit usaha tidak ada di koperasi ini.")
        return unit
    code = unit or "gerai_sembako"
    found = BusinessUnit.objects.filter(cooperative=cooperative, code=code).first()
    if found is None:
        raise ValidationError.for_field("business_unit", f"Unit usaha '{code}' tidak ada di koperasi ini.")
    return found


def _products_locked(cooperative: Cooperative, refs: Iterable[Product | int | str]) -> dict[Any, Product]:
    """Lock the named products (by object, id or SKU) in primary-key order; return them by each ref.

    Raises ValidationError naming the unknown references (another cooperative's product is unknown).
    """
    refs = list(refs)
    ids = {r.pk if isinstance(r, Product) else r for r in refs if not isinstance(r, str)}
    # SKUs are unique ignoring case (catalogue._clean_product), so "lpg3" finds "LPG3".
    skus = {r.upper() for r in refs if isinstance(r, str)}
    query = Product.objects.filter(cooperative=cooperative).annotate(sku_upper=Upper("sku"))
    query = query.filter(Q(pk__in=ids) | Q(sku_upper__in=skus))
    found = list(query.select_related("business_unit", "consignor").select_for_update(of=("self",)).order_by("pk"))
    by_id = {p.pk: p for p in found}
    by_sku = {p.sku.upper(): p for p in found}
    out: dict[Any, Product] = {}
    unknown = []
    for ref in refs:
        if isinstance(ref, str):
            product = by_sku.get(ref.upper())
        else:
            product = by_id.get(ref.pk if isinstance(ref, Product) else ref)
        if product is None:
            unknown.append(str(ref if not isinstance(ref, Product) else ref.sku))
        else:
            out[ref.pk if isinstance(ref, Product) else ref] = product
    if unknown:
        raise ValidationError(
            f"Barang tidak dikenal: {', '.join(unknown)}.",
            code="product_unknown",
            detail={"lines": [f"Barang '{u}' tidak ada di katalog koperasi ini." for u in unknown]},
        )
    return out


def _levels_locked(cooperative: Cooperative, location: Location, product_ids: Iterable[int]) -> dict[int, StockLevel]:
    """Lock (creating when missing) the stock levels of products at a location, in product order."""
    product_ids = sorted(set(product_ids))
    StockLevel.objects.bulk_create(
        [StockLevel(cooperative=cooperative, location=location, product_id=pid, qty=0) for pid in product_ids],
        ignore_conflicts=True,
    )
    levels = (
        StockLevel.objects.filter(cooperative=cooperative, location=location, product_id__in=product_ids)
        .select_for_update()
        .order_by("product_id")
    )
    return {level.product_id: level for level in levels}


def _moves(
    cooperative: Cooperative,
    moves: list[tuple[Product, Location, int, int]],
    *,
    date: datetime.date,
    kind: str,
    source: Any,
) -> None:
    StockMove.objects.bulk_create(
        [
            StockMove(
                cooperative=cooperative,
                product=product,
                location=location,
                date=date,
                kind=kind,
                qty=qty,
                value=value,
                source_type=source._meta.label_lower,
                source_id=source.pk,
            )
            for product, location, qty, value in moves
        ]
    )


def _require_money(cooperative: Cooperative, role: str, amount: int, date: datetime.date) -> None:
    """Refuse paying out more than the cash or bank account holds on ``date``."""
    from koperasi.savings.selectors import FAR_FUTURE

    account = ledger_selectors.account_for_role(cooperative=cooperative, role=role)
    debit, credit = ledger_selectors.totals_between(cooperative=cooperative, start=None, end=FAR_FUTURE).get(
        account.pk, (0, 0)
    )
    balance = debit - credit
    if balance < amount:
        where = "kas" if role == "cash" else "bank"
        raise Conflict(
            f"Saldo {where} {format_rupiah(balance)} tidak cukup untuk membayar {format_rupiah(amount)}.",
            code="insufficient_funds",
            detail={"amount": [f"Saldo {where} {format_rupiah(balance)}."]},
        )


def _supplier_locked(cooperative: Cooperative, supplier: Supplier | int) -> Supplier:
    found = (
        Supplier.objects.select_for_update()
        .filter(cooperative=cooperative, pk=supplier.pk if isinstance(supplier, Supplier) else supplier)
        .first()
    )
    if found is None:
        raise NotFound("Pemasok tidak ditemukan.", code="supplier_not_found")
    return found


def _supplier(cooperative: Cooperative, supplier: Supplier | int) -> Supplier:
    if isinstance(supplier, Supplier):
        if supplier.cooperative_id != cooperative.pk:
            raise NotFound("Pemasok tidak ditemukan.", code="supplier_not_found")
        return supplier
    return selectors.supplier_get(cooperative=cooperative, supplier_id=supplier)


def _refuse_short(
    *, products: dict[int, Product], levels: dict[int, StockLevel], need: dict[int, int], where: Location
) -> None:
    short = {pid: levels[pid].qty for pid, qty in need.items() if levels[pid].qty < qty}
    if short:
        names = [f"{products[pid].name} (tersedia {have} {products[pid].unit})" for pid, have in short.items()]
        raise Conflict(
            f"Stok tidak cukup di {where.name}: {'; '.join(names)}.",
            code="insufficient_stock",
            detail={"lines": [f"Stok tidak cukup: {n}." for n in names]},
        )


def _may_approve(cooperative: Cooperative, actor: Any) -> bool:
    from koperasi.core.access import roles_for
    from koperasi.core.permissions import Action, can

    return bool(getattr(actor, "pk", None)) and can(roles_for(actor, cooperative), Action.SHOP_RETURN_APPROVE)


def _check_het(
    cooperative: Cooperative,
    product: Product,
    price: int,
    date: datetime.date,
    rows: list[calculations.HetRow] | None = None,
) -> None:
    limit = selectors.product_het_limit(cooperative=cooperative, product=product, date=date, rows=rows)
    if limit is not None and price > limit:
        raise Conflict(
            f"Harga {product.name} {format_rupiah(price)} melebihi HET {format_rupiah(limit)} "
            f"yang berlaku pada {date:%d/%m/%Y}.",
            code="price_above_het",
            detail={"price": [f"Paling tinggi {format_rupiah(limit)} (HET)."], "het": [str(limit)]},
        )


def first_on_key_race(find: Callable[[Cooperative, str | None], Any]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Make a keyed write return the first result when a parallel twin with the same key won the race.

    The writer checks its key before and after its locks; two attempts with the same key
    but different rows to lock can still both pass, and the loser's insert then breaks the
    unique key. Its transaction is rolled back whole; the first attempt's result is returned.
    """

    def decorate(write: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(write)
        def keyed(**kwargs: Any) -> T:
            try:
                return write(**kwargs)
            except IntegrityError:
                first = find(kwargs["cooperative"], _key(kwargs.get("idempotency_key")))
                if first is None:
                    raise
                return first

        return keyed

    return decorate
