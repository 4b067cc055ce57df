"""HTML forms of the gerai back office: they parse input only; ``shop.services`` judges it.

Whether a price is whole and positive and under the HET, a SKU free, a quantity within
stock, an order line still due: the services decide and raise a ``DomainError`` that the
view puts on the form. Amounts are typed the Indonesian way (``15.700``) and parsed by
``savings.forms.AmountField``; a fraction or a minus sign is left for the service to refuse.
Lines of an order, a purchase or a transfer are a formset whose empty rows are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from koperasi.ledger.forms import Form
from koperasi.loans.forms import date_field, new_key
from koperasi.savings.forms import AmountField
from koperasi.shop.choices import HetCommodity, SupplierKind, SupplierPaymentChannel
from koperasi.shop.services import ProductInput, PurchaseLineInput

__all__ = ["new_key"]

Choices = Sequence[tuple[Any, Any]]
LINE_ROWS = 5  # empty line rows a new order, purchase or transfer starts with
MAX_LINE_ROWS = 50
CREDIT = "kredit"  # a direct purchase not paid yet (the payable arises)


def _key_field() -> forms.CharField:
    return forms.CharField(widget=forms.HiddenInput, max_length=90, required=False)


def _set_choices(form: forms.Form, name: str, choices: Choices) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


def _text_field(label: Any, max_length: int, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required, help_text=help_text)


def _qty_field(label: Any, *, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=required, widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0})
    )


# --- catalogue ----------------------------------------------------------------------------
class ProductFilterForm(Form):
    q = _text_field(_("Cari"), 100, help_text=_("Nama, SKU atau barcode."))
    category = forms.ChoiceField(label=_("Kategori"), required=False)

    def __init__(self, *args: Any, categories: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "category", [("", gettext("Semua kategori")), *((c, c) for c in categories)])


class ProductForm(Form):
    """A product's fields (the service checks every value); the price has its own form."""

    sku = _text_field(_("SKU"), 40, required=True, help_text=_("Kode barang di koperasi, mis. SPHP5."))
    name = _text_field(_("Nama barang"), 150, required=True)
    unit = _text_field(_("Satuan jual"), 20, required=True, help_text=_("pcs, kg, tabung, liter, karung."))
    barcode = _text_field(_("Barcode"), 40)
    category = _text_field(_("Kategori"), 60)
    business_unit = forms.ChoiceField(label=_("Unit usaha"))
    pack_size = _qty_field(_("Isi kemasan beli"))
    pack_unit = _text_field(_("Kemasan beli"), 20, help_text=_("dus, karung (kosongkan jika sama)."))
    het_commodity = forms.ChoiceField(
        label=_("Komoditas HET"),
        required=False,
        choices=[("", _("— tanpa HET —")), *HetCommodity.choices],
    )
    het_quantity = _text_field(
        _("Isi satuan HET per satuan jual"), 12, help_text=_("Mis. 5 untuk beras 5 kg; 0,5 untuk minyak 500 ml.")
    )
    consignor = forms.TypedChoiceField(label=_("Pemilik barang titipan"), required=False, coerce=int, empty_value=None)
    commission_percent = _text_field(_("Komisi koperasi (%)"), 10, help_text=_("Hanya untuk barang titipan UMKM."))
    min_stock = _qty_field(_("Batas stok menipis"))

    def __init__(self, *args: Any, units: Choices = (), consignors: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "business_unit", list(units))
        _set_choices(self, "consignor", [("", gettext("— milik koperasi —")), *consignors])

    def product_input(self) -> ProductInput:
        data = self.cleaned_data
        return ProductInput(
            sku=data["sku"],
            name=data["name"],
            unit=data["unit"],
            business_unit=data["business_unit"],
            barcode=data["barcode"],
            category=data["category"],
            pack_size=1 if data["pack_size"] is None else data["pack_size"],
            pack_unit=data["pack_unit"],
            het_commodity=data["het_commodity"],
            het_quantity=data["het_quantity"] or "1",
            consignor=data["consignor"],
            commission_percent=(data["commission_percent"] or "0").replace("%", "").strip(),
            min_stock=0 if data["min_stock"] is None else data["min_stock"],
        )

    @staticmethod
    def initial_from(product: Any) -> dict[str, Any]:
        return {
            "sku": product.sku,
            "name": product.name,
            "unit": product.unit,
            "barcode": product.barcode,
            "category": product.category,
            "business_unit": product.business_unit.code,
            "pack_size": product.pack_size,
            "pack_unit": product.pack_unit,
            "het_commodity": product.het_commodity,
            "het_quantity": f"{product.het_quantity.normalize():f}".replace(".", ","),
            "consignor": product.consignor_id,
            "commission_percent": f"{product.commission_percent.normalize():f}".replace(".", ","),
            "min_stock": product.min_stock,
            "is_active": product.is_active,
        }


class ProductNewForm(ProductForm):
    price = AmountField(label=_("Harga jual (Rp)"))
    effective_from = date_field(_("Harga berlaku mulai"))

    field_order = ["sku", "name", "unit", "price", "effective_from"]


class ProductEditForm(ProductForm):
    is_active = forms.BooleanField(label=_("Barang aktif (dijual)"), required=False)


class PriceForm(Form):
    price = AmountField(label=_("Harga jual baru (Rp)"))
    effective_from = date_field(_("Berlaku mulai"))
    reason = _text_field(_("Alasan"), 200, help_text=_("Mis. harga beli naik, HET baru."))


class HetForm(Form):
    commodity = forms.ChoiceField(label=_("Komoditas"), choices=HetCommodity.choices)
    region_code = _text_field(
        _("Kode wilayah"), 13, help_text=_("Kemendagri: 64 provinsi, 64.71 kota; kosong untuk nasional.")
    )
    zone = _text_field(_("Zona"), 20, help_text=_("Mis. Zona 2 untuk beras."))
    price = AmountField(label=_("HET (Rp per satuan komoditas)"))
    effective_from = date_field(_("Berlaku mulai"))
    effective_to = date_field(_("Berlaku sampai"), required=False)
    legal_basis = _text_field(_("Dasar hukum"), 200, help_text=_("Mis. SK Gubernur Kaltim 500/K.572/2022."))


# --- suppliers ----------------------------------------------------------------------------
class SupplierForm(Form):
    name = _text_field(_("Nama pemasok"), 150, required=True)
    kind = forms.ChoiceField(label=_("Jenis"), choices=SupplierKind.choices, initial=SupplierKind.DISTRIBUTOR)
    member_no = forms.IntegerField(
        label=_("Nomor anggota pemilik UMKM"),
        required=False,
        min_value=1,
        max_value=10**9,
        help_text=_("Untuk UMKM anggota: nomor pada kartu anggota."),
    )
    phone = _text_field(_("Telepon"), 20)
    address = _text_field(_("Alamat"), 250)


class InvoiceForm(Form):
    invoice_no = _text_field(_("Nomor faktur pemasok"), 60, required=True)
    date = date_field(_("Tanggal faktur"))
    due_on = date_field(_("Jatuh tempo"), required=False)
    receipts = forms.TypedMultipleChoiceField(
        label=_("Penerimaan barang yang ditagih"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, receipts: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "receipts", list(receipts))


class PaymentForm(Form):
    """A payment to a supplier (or a UMKM's settlement); ``idempotency_key`` makes a re-submit harmless."""

    amount = AmountField(label=_("Jumlah dibayar (Rp)"))
    date = date_field(_("Tanggal bayar"))
    channel = forms.ChoiceField(label=_("Cara bayar"), choices=SupplierPaymentChannel.choices)
    reference = _text_field(_("Nomor referensi"), 100, help_text=_("Wajib untuk transfer bank."))
    invoice = forms.TypedChoiceField(label=_("Untuk faktur"), required=False, coerce=int, empty_value=None)
    idempotency_key = _key_field()

    def __init__(self, *args: Any, invoices: Choices | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if invoices is None:
            del self.fields["invoice"]
        else:
            _set_choices(self, "invoice", [("", gettext("— tanpa faktur tertentu —")), *invoices])


# --- orders, purchases, receipts ----------------------------------------------------------
class LineForm(Form):
    """One goods line; every field optional so an untouched row is skipped."""

    product = forms.TypedChoiceField(label=_("Barang"), required=False, coerce=int, empty_value=None)
    qty = _qty_field(_("Jumlah"))
    unit_cost = AmountField(label=_("Harga beli satuan (Rp)"), required=False)

    def __init__(self, *args: Any, products: Choices = (), with_cost: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "product", [("", "—"), *products])
        if not with_cost:
            del self.fields["unit_cost"]
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = str(field.label)

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return data.get("product") is None and data.get("qty") is None and data.get("unit_cost") is None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or self.is_blank:
            return data
        if data.get("product") is None:
            self.add_error("product", gettext("Pilih barang untuk baris ini."))
        if data.get("qty") is None:
            self.add_error("qty", gettext("Isi jumlah barang."))
        if "unit_cost" in self.fields and data.get("unit_cost") is None:
            self.add_error("unit_cost", gettext("Isi harga beli satuan."))
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, products: Choices, with_cost: bool = True, **kwargs: Any) -> None:
        self.products = products
        self.with_cost = with_cost
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"products": self.products, "with_cost": self.with_cost}

    def filled(self) -> list[LineForm]:
        """The rows with a product, in order (call after ``is_valid``)."""
        return [form for form in self.forms if isinstance(form, LineForm) and not form.is_blank]

    def purchase_lines(self) -> list[PurchaseLineInput]:
        return [
            PurchaseLineInput(f.cleaned_data["product"], f.cleaned_data["qty"], f.cleaned_data["unit_cost"])
            for f in self.filled()
        ]

    def transfer_lines(self) -> list[tuple[int, int]]:
        return [(f.cleaned_data["product"], f.cleaned_data["qty"]) for f in self.filled()]

    def add_line_errors(self, detail: dict[str, Any]) -> bool:
        """Put a service's ``lines.<n>.<field>`` errors (n counts filled rows from 1) on the rows."""
        rows = self.filled()
        placed = False
        for key, messages in detail.items():
            parts = str(key).split(".")
            if len(parts) != 3 or parts[0] != "lines" or not parts[1].isdigit():
                continue
            index, name = int(parts[1]) - 1, parts[2]
            if 0 <= index < len(rows) and name in rows[index].fields:
                for message in messages if isinstance(messages, list) else [messages]:
                    rows[index].add_error(name, str(message))
                placed = True
        return placed


LineFormSet: Any = forms.formset_factory(
    LineForm,
    formset=BaseLineFormSet,
    extra=0,
    max_num=MAX_LINE_ROWS,
    absolute_max=MAX_LINE_ROWS,
    validate_max=True,
)


def line_formset(
    data: Any = None, *, products: Choices, with_cost: bool = True, rows: int = LINE_ROWS, prefix: str = "baris"
) -> Any:
    """A bound formset (``data``) or one with ``rows`` empty rows; "tambah_baris" in ``data`` adds a row."""
    if data is None:
        initial: list[dict[str, Any]] = [{} for _ in range(max(1, min(rows, MAX_LINE_ROWS)))]
        return LineFormSet(initial=initial, products=products, with_cost=with_cost, prefix=prefix)
    return LineFormSet(data, products=products, with_cost=with_cost, prefix=prefix)


def with_extra_row(data: Any, prefix: str = "baris") -> Any:
    """A copy of posted form data with one more line row (the "add a row" button without JavaScript)."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(max(0, min(total + 1, MAX_LINE_ROWS)))
    return data


class OrderForm(Form):
    supplier = forms.TypedChoiceField(label=_("Pemasok"), coerce=int, empty_value=None)
    date = date_field(_("Tanggal pesanan"))
    expected_on = date_field(_("Perkiraan tiba"), required=False)
    location = forms.TypedChoiceField(label=_("Diterima di"), coerce=int, empty_value=None)
    note = _text_field(_("Catatan"), 250)

    def __init__(self, *args: Any, suppliers: Choices = (), locations: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "supplier", [("", gettext("— pilih pemasok —")), *suppliers])
        _set_choices(self, "location", list(locations))


class OrderCancelForm(Form):
    reason = _text_field(_("Alasan pembatalan"), 200, required=True)


class PurchaseForm(Form):
    """A direct purchase (goods received now); ``idempotency_key`` makes a re-submit harmless."""

    supplier = forms.TypedChoiceField(label=_("Pemasok"), coerce=int, empty_value=None)
    date = date_field(_("Tanggal terima"))
    location = forms.TypedChoiceField(label=_("Diterima di"), coerce=int, empty_value=None)
    paid = forms.ChoiceField(
        label=_("Pembayaran"),
        choices=[(CREDIT, _("Belum dibayar (utang)")), *SupplierPaymentChannel.choices],
        initial=CREDIT,
    )
    reference = _text_field(_("Nomor referensi / nota"), 100)
    note = _text_field(_("Catatan"), 250)
    idempotency_key = _key_field()

    def __init__(self, *args: Any, suppliers: Choices = (), locations: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "supplier", [("", gettext("— pilih pemasok —")), *suppliers])
        _set_choices(self, "location", list(locations))

    @property
    def paid_channel(self) -> str | None:
        paid = self.cleaned_data["paid"]
        return None if paid == CREDIT else paid


class ReceiveForm(Form):
    """Goods arriving against an order: one quantity per open line (``lines.<id>``), default what is still due."""

    date = date_field(_("Tanggal terima"))
    note = _text_field(_("Catatan"), 250)
    idempotency_key = _key_field()

    def __init__(self, *args: Any, lines: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_lines = [line for line in lines if line.qty_received < line.qty_ordered]
        for line in self.order_lines:
            due = line.qty_ordered - line.qty_received
            field = _qty_field(f"{line.product.name} ({line.product.sku})")
            field.initial = due
            field.help_text = gettext("Sisa pesanan %(due)s %(unit)s.") % {"due": due, "unit": line.product.unit}
            self.fields[self.line_field(line.pk)] = field

    @staticmethod
    def line_field(line_id: int) -> str:
        return f"lines.{line_id}"

    def quantities(self) -> dict[int, int]:
        data = self.cleaned_data
        return {line.pk: data[self.line_field(line.pk)] for line in self.order_lines if data[self.line_field(line.pk)]}

    def line_rows(self) -> list[tuple[Any, Any]]:
        return [(line, self[self.line_field(line.pk)]) for line in self.order_lines]


# --- stock --------------------------------------------------------------------------------
class LocationFilterForm(Form):
    location = forms.TypedChoiceField(label=_("Lokasi"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, locations: Choices = (), blank: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "location", ([("", blank)] if blank else []) + list(locations))


class StockCardFilterForm(Form):
    location = forms.TypedChoiceField(label=_("Lokasi"), required=False, coerce=int, empty_value=None)
    start = date_field(_("Dari tanggal"), required=False)
    end = date_field(_("Sampai tanggal"), required=False)

    def __init__(self, *args: Any, locations: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "location", [("", gettext("Semua lokasi")), *locations])


class TransferForm(Form):
    from_location = forms.TypedChoiceField(label=_("Dari"), coerce=int, empty_value=None)
    to_location = forms.TypedChoiceField(label=_("Ke"), coerce=int, empty_value=None)
    date = date_field(_("Tanggal mutasi"))
    note = _text_field(_("Catatan"), 250)

    def __init__(self, *args: Any, locations: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "from_location", list(locations))
        _set_choices(self, "to_location", list(locations))


class CountForm(Form):
    """A stock count at one location: one box per product (``counts.<id>``); an empty box is not counted."""

    location = forms.TypedChoiceField(widget=forms.HiddenInput, coerce=int, empty_value=None)
    date = date_field(_("Tanggal opname"))
    note = _text_field(_("Catatan"), 250)

    def __init__(self, *args: Any, locations: Choices = (), rows: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "location", list(locations))
        self.stock_rows = list(rows)
        for row in self.stock_rows:
            field = _qty_field(f"{row.name} ({row.sku})")
            field.widget.attrs["placeholder"] = str(row.qty)
            self.fields[self.count_field(row.product_id)] = field

    @staticmethod
    def count_field(product_id: int) -> str:
        return f"counts.{product_id}"

    def counts(self) -> dict[int, int]:
        data = self.cleaned_data
        return {
            row.product_id: data[self.count_field(row.product_id)]
            for row in self.stock_rows
            if data.get(self.count_field(row.product_id)) is not None
        }

    def count_rows(self) -> list[tuple[Any, Any]]:
        return [(row, self[self.count_field(row.product_id)]) for row in self.stock_rows]

    def visible_main_fields(self) -> list[Any]:
        return [self[name] for name in ("date", "note")]


class ConsignmentReceiveForm(Form):
    product = forms.TypedChoiceField(label=_("Barang titipan"), coerce=int, empty_value=None)
    qty = _qty_field(_("Jumlah"), required=True)
    date = date_field(_("Tanggal"))
    location = forms.TypedChoiceField(label=_("Lokasi"), coerce=int, empty_value=None)
    withdraw = forms.BooleanField(
        label=_("Dikembalikan ke pemilik (barang keluar)"),
        required=False,
        help_text=_("Centang bila barang yang belum laku diambil kembali oleh UMKM."),
    )

    def __init__(self, *args: Any, products: Choices = (), locations: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "product", [("", gettext("— pilih barang —")), *products])
        _set_choices(self, "location", list(locations))
