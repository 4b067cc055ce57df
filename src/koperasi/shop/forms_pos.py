"""HTML forms of the till (POS): they parse what the cashier typed or scanned; ``shop.services`` judges it.

Amounts are typed the Indonesian way (``50.000``) and parsed by ``savings.forms.AmountField``;
whether an amount is whole and positive, a quantity within limits, a NIK valid for a sale:
the services decide and the view puts their error on the form. The buyer field reads the
three things a cashier may have: a member number (``12`` or ``00012``), the QR text of a
member card (``KOPERASI:<coop>:<00012>``, typed by a USB or phone scanner) or a NIK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koperasi.ledger.forms import Form
from koperasi.loans.forms import date_field, new_key
from koperasi.members.card import CARD_PREFIX, card_payload_parse
from koperasi.members.identity import IdentityError, nik_parse
from koperasi.savings.forms import AmountField
from koperasi.shop.choices import PaymentMethod, ReturnKind
from koperasi.shop.models import Location, SaleLine
from koperasi.shop.services._common import MAX_QTY

__all__ = [
    "AddForm",
    "BuyerForm",
    "BuyerLookup",
    "CartForm",
    "GuestForm",
    "PayForm",
    "ReturnDecideForm",
    "ReturnRequestForm",
    "SaleFilterForm",
    "ScanForm",
    "SessionCloseForm",
    "SessionOpenForm",
    "new_key",
]

SCAN_MAX = 100  # a barcode, SKU, product name or "3*barcode"


def _qty_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=0,
        max_value=MAX_QTY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "step": 1, "class": "qty"}),
        error_messages={
            "invalid": _("Jumlah harus bilangan bulat."),
            "min_value": _("Jumlah tidak boleh negatif."),
            "max_value": _("Jumlah terlalu besar; periksa kembali."),
        },
        **kwargs,
    )


# --- Cashier session ------------------------------------------------------------------------------
class SessionOpenForm(Form):
    """Open a till: the counted opening float and where it stands."""

    opening_float = AmountField(label=_("Modal awal kas (Rp)"), help_text=_("Uang tunai di laci saat sesi dibuka."))
    location = forms.TypedChoiceField(label=_("Lokasi"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, locations: Sequence[Location] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["location"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(loc.pk, loc.name) for loc in locations]
        if not locations:
            field.widget = forms.HiddenInput()


class SessionCloseForm(Form):
    """Close a till with the cash counted in the drawer."""

    counted_cash = AmountField(label=_("Uang tunai dihitung (Rp)"))
    note = forms.CharField(label=_("Catatan"), max_length=250, required=False)


# --- The till -------------------------------------------------------------------------------------
class ScanForm(Form):
    """What the scanner or the cashier typed: a barcode, a SKU or part of a name; ``3*code`` takes 3 units."""

    q = forms.CharField(
        label=_("Pindai barcode atau cari nama barang"),
        max_length=SCAN_MAX,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "enterkeyhint": "enter", "placeholder": "8991234…"}
        ),
    )

    def clean_q(self) -> tuple[int, str]:
        """Return ``(quantity, text)``: ``"3*8991234500015"`` gives 3 units of that code, anything else 1."""
        text = self.cleaned_data["q"].strip()
        head, star, tail = text.partition("*")
        if star and head.strip().isdigit() and tail.strip():
            qty = int(head.strip())
            if not 0 < qty <= MAX_QTY:
                raise forms.ValidationError(_("Jumlah sebelum tanda * harus lebih dari nol."))
            return qty, tail.strip()
        return 1, text


class AddForm(Form):
    """A product picked from the search results."""

    product = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)
    qty = _qty_field(required=False)

    def clean_qty(self) -> int:
        return self.cleaned_data.get("qty") or 1


class CartForm(Form):
    """The cart's quantities (``qty_<product id>``); 0 takes the line out."""

    def __init__(self, *args: Any, product_ids: Sequence[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for pid in product_ids:
            self.fields[f"qty_{pid}"] = _qty_field(label=_("Jumlah"), required=False)

    def quantities(self) -> dict[int, int | None]:
        return {int(name[4:]): value for name, value in self.cleaned_data.items() if name.startswith("qty_")}


@dataclass(frozen=True)
class BuyerLookup:
    """What the buyer field named: ``kind`` is ``number`` (a member number, from a card or typed) or ``nik``."""

    kind: str
    value: str
    coop_code: str = ""


class BuyerForm(Form):
    buyer = forms.CharField(
        label=_("Pembeli: no. anggota, NIK, atau pindai kartu"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "enterkeyhint": "search", "placeholder": "00012"}),
    )

    def clean_buyer(self) -> BuyerLookup:
        text = self.cleaned_data["buyer"].strip()
        if text.upper().startswith(CARD_PREFIX + ":"):
            try:
                coop_code, member_no = card_payload_parse(CARD_PREFIX + text[len(CARD_PREFIX) :])
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
            return BuyerLookup("number", str(member_no), coop_code)
        digits = text.replace(" ", "").replace(".", "").replace("-", "")
        if digits.isdigit() and len(digits) == 16:
            try:
                nik_parse(digits, today=timezone.localdate())
            except IdentityError as exc:
                raise forms.ValidationError(str(exc)) from None
            return BuyerLookup("nik", digits)
        if digits.isdigit() and 0 < len(digits) <= 9 and int(digits) > 0:
            return BuyerLookup("number", str(int(digits)))
        raise forms.ValidationError(_("Tulis nomor anggota (mis. 00012), NIK 16 angka, atau pindai kartu anggota."))


class GuestForm(Form):
    """A buyer who is not a member; the name and NIK are optional."""

    name = forms.CharField(label=_("Nama pembeli"), max_length=150, required=False)
    nik = forms.CharField(label=_("NIK (opsional)"), max_length=20, required=False)

    def clean_nik(self) -> str:
        nik = self.cleaned_data["nik"].replace(" ", "")
        if nik:
            try:
                nik_parse(nik, today=timezone.localdate())
            except IdentityError as exc:
                raise forms.ValidationError(str(exc)) from None
        return nik


class PayForm(Form):
    """Payment: cash (received amount, change shown), QRIS or transfer (reference); the key makes it one sale.

    ``partner_reference`` is the partner's transaction number for subsidised goods (MAP for
    LPG 3 kg); it goes into the programme's logbook.
    """

    payment_method = forms.ChoiceField(
        label=_("Cara bayar"), choices=PaymentMethod.choices, widget=forms.RadioSelect, initial=PaymentMethod.TUNAI
    )
    cash_received = AmountField(label=_("Uang diterima (Rp)"), required=False, help_text=_("Kosongkan bila uang pas."))
    payment_reference = forms.CharField(
        label=_("Referensi QRIS/transfer"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    partner_reference = forms.CharField(
        label=_("Referensi MAP / mitra"),
        max_length=100,
        required=False,
        help_text=_("Nomor transaksi di aplikasi mitra (mis. MerchantApps Pertamina) untuk barang bersubsidi."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=90, required=False)


# --- Lists, returns -------------------------------------------------------------------------------
class SaleFilterForm(Form):
    start = date_field(_("Dari tanggal"), required=False)
    end = date_field(_("Sampai tanggal"), required=False)
    q = forms.CharField(label=_("Cari"), max_length=100, required=False, help_text=_("No. nota, nama atau NIK."))


class ReturnRequestForm(Form):
    """Void a whole sale or return some units of its lines (``qty_<sale line id>``), with the reason."""

    kind = forms.ChoiceField(
        label=_("Jenis"), choices=ReturnKind.choices, widget=forms.RadioSelect, initial=ReturnKind.RETURN
    )
    reason = forms.CharField(label=_("Alasan"), max_length=250)

    def __init__(self, *args: Any, lines: Sequence[SaleLine] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for line in lines:
            self.fields[f"qty_{line.pk}"] = _qty_field(label=line.product.name, required=False)

    def quantities(self) -> dict[int, int]:
        return {int(name[4:]): value for name, value in self.cleaned_data.items() if name.startswith("qty_") and value}


class ReturnDecideForm(Form):
    decision = forms.ChoiceField(choices=[("approve", _("Setujui")), ("reject", _("Tolak"))])
    note = forms.CharField(label=_("Catatan"), max_length=250, required=False)
