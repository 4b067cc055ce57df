"""HET rows and the catalogue: products and their selling prices (never above the HET)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from koperasi.cooperatives.models import BusinessUnit, Cooperative
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.shop import selectors
from koperasi.shop.choices import (
    HetCommodity,
)
from koperasi.shop.models import (
    Het,
    Product,
    ProductPrice,
    Supplier,
)
from koperasi.shop.services._common import (
    MAX_QTY,
    _actor_or_none,
    _amount,
    _business_unit,
    _check_het,
    _date,
    _percent,
    _products_locked,
    _text,
)

# --- HET and catalogue ---------------------------------------------------------------------------


def het_create(
    *,
    commodity: str,
    region_code: str,
    price: int,
    effective_from: datetime.date,
    effective_to: datetime.date | None = None,
    zone: str = "",
    legal_basis: str = "",
    actor: Any,
) -> Het:
    """Add a HET row (global reference data). Raises ValidationError and Conflict (``het_exists``)."""
    if commodity not in HetCommodity.values:
        raise ValidationError.for_field("commodity", "Komoditas HET tidak dikenal.")
    region_code = _text(region_code, "region_code", "Kode wilayah", max_length=13)
    if region_code and not all(part.isdigit() for part in region_code.split(".")):
        raise ValidationError.for_field("region_code", "Kode wilayah berupa angka Kemendagri, mis. 64 atau 64.71.")
    price = _amount(price, "price", "HET")
    effective_from = _date(effective_from, "effective_from")
    if effective_to is not None and _date(effective_to, "effective_to") < effective_from:
        raise ValidationError.for_field("effective_to", "Tanggal akhir tidak boleh sebelum tanggal mulai.")
    with transaction.atomic():
        if Het.objects.filter(commodity=commodity, region_code=region_code, effective_from=effective_from).exists():
            raise Conflict("HET komoditas ini untuk wilayah dan tanggal itu sudah ada.", code="het_exists")
        het = Het.objects.create(
            commodity=commodity,
            region_code=region_code,
            zone=_text(zone, "zone", "Zona", max_length=20),
            price=price,
            effective_from=effective_from,
            effective_to=effective_to,
            legal_basis=_text(legal_basis, "legal_basis", "Dasar hukum", max_length=200),
            created_by=_actor_or_none(actor),
        )
        audit_record(actor=actor, action="het.create", target=het, data={"commodity": commodity, "price": price})
    return het


@dataclass
class ProductInput:
    """The editable fields of a product (the price has its own history: ``product_price_set``)."""

    sku: str
    name: str
    unit: str = "pcs"
    business_unit: BusinessUnit | str | None = None
    barcode: str = ""
    category: str = ""
    pack_size: int = 1
    pack_unit: str = ""
    het_commodity: str = ""
    het_quantity: Decimal | str | int = Decimal("1")
    consignor: Supplier | int | None = None
    commission_percent: Decimal | str | int = Decimal("0")
    min_stock: int = 0


def _clean_product(cooperative: Cooperative, data: ProductInput, *, exclude_id: int | None = None) -> dict[str, Any]:
    sku = _text(data.sku, "sku", "SKU", max_length=40, required=True)
    barcode = _text(data.barcode, "barcode", "Barcode", max_length=40)
    others = Product.objects.filter(cooperative=cooperative)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    if others.filter(sku__iexact=sku).exists():
        raise ValidationError.for_field("sku", f"SKU {sku} sudah dipakai barang lain.", code="sku_taken")
    if barcode and others.filter(barcode=barcode).exists():
        raise ValidationError.for_field(
            "barcode", f"Barcode {barcode} sudah dipakai barang lain.", code="barcode_taken"
        )
    if data.het_commodity and data.het_commodity not in HetCommodity.values:
        raise ValidationError.for_field("het_commodity", "Komoditas HET tidak dikenal.")
    try:
        het_quantity = Decimal(str(data.het_quantity).replace(",", "."))
    except (InvalidOperation, ValueError):
        het_quantity = Decimal(0)
    if not het_quantity.is_finite() or het_quantity <= 0 or het_quantity > 10_000:
        raise ValidationError.for_field("het_quantity", "Isi satuan HET harus lebih dari nol (mis. 5 untuk 5 kg).")
    if het_quantity != het_quantity.quantize(Decimal("0.001")):  # the column keeps 3 decimals: 0.0001 would be 0
        raise ValidationError.for_field("het_quantity", "Isi satuan HET paling banyak 3 desimal (mis. 0,5 atau 0,25).")
    if isinstance(data.pack_size, bool) or not isinstance(data.pack_size, int) or not 1 <= data.pack_size <= 100_000:
        raise ValidationError.for_field("pack_size", "Isi kemasan harus bilangan bulat 1–100.000.")
    if isinstance(data.min_stock, bool) or not isinstance(data.min_stock, int) or not 0 <= data.min_stock <= MAX_QTY:
        raise ValidationError.for_field("min_stock", "Batas stok menipis harus bilangan bulat tidak negatif.")
    consignor = data.consignor
    if consignor is not None and not isinstance(consignor, Supplier):
        consignor = Supplier.objects.filter(cooperative=cooperative, pk=consignor).first()
        if consignor is None:
            raise ValidationError.for_field("consignor", "Pemilik barang titipan tidak ditemukan.")
    if consignor is not None and consignor.cooperative_id != cooperative.pk:
        raise ValidationError.for_field("consignor", "Pemilik barang titipan tidak ditemukan.")
    commission = _percent(data.commission_percent, "commission_percent", "Komisi")
    if consignor is None and commission:
        raise ValidationError.for_field("commission_percent", "Komisi hanya untuk barang titipan.")
    return {
        "sku": sku,
        "name": _text(data.name, "name", "Nama barang", max_length=150, required=True),
        "unit": _text(data.unit, "unit", "Satuan", max_length=20, required=True),
        "business_unit": _business_unit(cooperative, data.business_unit),
        "barcode": barcode,
        "category": _text(data.category, "category", "Kategori", max_length=60),
        "pack_size": data.pack_size,
        "pack_unit": _text(data.pack_unit, "pack_unit", "Kemasan", max_length=20),
        "het_commodity": data.het_commodity or "",
        "het_quantity": het_quantity,
        "consignor": consignor,
        "commission_percent": commission,
        "min_stock": data.min_stock,
    }


def product_create(
    *,
    cooperative: Cooperative,
    data: ProductInput,
    price: int,
    effective_from: datetime.date | None = None,
    actor: Any,
) -> Product:
    """Add a product to the catalogue with its first selling price.

    Raises ValidationError (fields, SKU or barcode taken) and Conflict (``price_above_het``).
    """
    fields = _clean_product(cooperative, data)
    price = _amount(price, "price", "Harga jual")
    start = effective_from or timezone.localdate()
    with transaction.atomic():
        product = Product(cooperative=cooperative, price=price, **fields)
        _check_het(cooperative, product, price, start)
        try:
            with transaction.atomic():
                product.save()
        except IntegrityError:
            raise ValidationError.for_field("sku", f"SKU {fields['sku']} sudah dipakai barang lain.") from None
        ProductPrice.objects.create(
            cooperative=cooperative,
            product=product,
            price=price,
            effective_from=start,
            set_by=_actor_or_none(actor),
            reason="Harga awal",
        )
        audit_record(
            actor=actor,
            action="shop.product.create",
            cooperative=cooperative,
            target=product,
            data={"sku": product.sku, "price": price},
        )
    return product


def product_update(
    *, cooperative: Cooperative, product: Product, data: ProductInput, is_active: bool = True, actor: Any
) -> Product:
    """Change a product's fields (not its price; a consignor cannot change once stock exists).

    Raises ValidationError and Conflict (``price_above_het`` when the new HET link refuses
    today's price; ``consignment_change_with_stock``).
    """
    if product.cooperative_id != cooperative.pk:
        raise NotFound("Barang tidak ditemukan.", code="product_not_found")
    fields = _clean_product(cooperative, data, exclude_id=product.pk)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        new_consignor = fields["consignor"].pk if fields["consignor"] else None
        if new_consignor != product.consignor_id and product.stock_qty:
            raise Conflict(
                "Pemilik barang tidak dapat diubah selama masih ada stok.", code="consignment_change_with_stock"
            )
        for name, value in fields.items():
            setattr(product, name, value)
        product.is_active = bool(is_active)
        _check_het(cooperative, product, product.price, timezone.localdate())
        product.save()
        audit_record(actor=actor, action="shop.product.update", cooperative=cooperative, target=product)
    return product


def product_price_set(
    *,
    cooperative: Cooperative,
    product: Product | int,
    price: int,
    effective_from: datetime.date,
    reason: str = "",
    actor: Any,
) -> ProductPrice:
    """Set a product's selling price from a date (a later price overrides; today's becomes ``Product.price``).

    Raises NotFound, ValidationError and Conflict (``price_above_het``).
    """
    price = _amount(price, "price", "Harga jual")
    effective_from = _date(effective_from, "effective_from")
    reason = _text(reason, "reason", "Alasan", max_length=200)
    with transaction.atomic():
        locked = _products_locked(cooperative, [product.pk if isinstance(product, Product) else product])
        product = next(iter(locked.values()))
        _check_het(cooperative, product, price, effective_from)
        row, _ = ProductPrice.objects.update_or_create(
            cooperative=cooperative,
            product=product,
            effective_from=effective_from,
            defaults={"price": price, "reason": reason, "set_by": _actor_or_none(actor)},
        )
        today = selectors.prices_on(cooperative=cooperative, product_ids=[product.pk], date=timezone.localdate())
        Product.objects.filter(pk=product.pk).update(price=today[product.pk])
        audit_record(
            actor=actor,
            action="shop.price.set",
            cooperative=cooperative,
            target=product,
            data={"price": price, "from": effective_from.isoformat()},
        )
    return row
