"""HTML forms of loans for officers: they parse input only; ``loans.services`` judges it.

Whether an amount is positive and whole, a term within the product, a date not in the
future, a rate between 0 and 100: the services decide and raise a ``DomainError`` that the
view puts on the form. Amounts are typed the Indonesian way (``1.250.000``) and parsed by
``savings.forms.AmountField``; rates are kept as typed text (``12,5``) for the service.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from koperasi.ledger.forms import Form
from koperasi.loans.choices import DisbursementChannel, LoanMethod, LoanStatus, RepaymentChannel
from koperasi.loans.models import LoanProduct
from koperasi.savings.forms import AmountField


def date_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    # An <input type=date> sends ISO dates whatever the page language is; 23/11/2026 is typed by hand.
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def rate_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=10,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def clean_rate(value: Any) -> str:
    """``"12,5 %"`` -> ``"12.5"``; whether it is a valid rate is for the service to say."""
    return str(value or "").replace("%", "").replace(",", ".").strip()


def new_key() -> str:
    """A fresh key for one rendering of a form (one write however often it is sent)."""
    return secrets.token_urlsafe(24)


def _key_field() -> forms.CharField:
    return forms.CharField(widget=forms.HiddenInput, max_length=90, required=False)


def _reference_field() -> forms.CharField:
    return forms.CharField(
        label=_("Nomor referensi"), max_length=60, required=False, help_text=_("Wajib untuk transfer bank.")
    )


REPAYMENT_CHANNELS = RepaymentChannel.choices


# --- list ---------------------------------------------------------------------------------
class LoanFilterForm(Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Semua status")), *LoanStatus.choices]
    )
    q = forms.CharField(
        label=_("Cari"),
        max_length=100,
        required=False,
        help_text=_("Nomor pinjaman (PJ-00012) atau nama anggota."),
    )


# --- application --------------------------------------------------------------------------
class SimulationForm(Form):
    """The terms a schedule is simulated from: product, principal, term, date."""

    product = forms.TypedChoiceField(label=_("Produk pinjaman"), coerce=int, empty_value=None)
    principal = AmountField(label=_("Jumlah pinjaman (Rp)"))
    term_months = forms.IntegerField(
        label=_("Jangka waktu (bulan)"), widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    applied_on = date_field(_("Tanggal pengajuan"), help_text=_("Simulasi memakai tanggal ini sebagai tanggal cair."))

    def __init__(self, *args: Any, products: Iterable[LoanProduct] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        product_field = self.fields["product"]
        assert isinstance(product_field, forms.TypedChoiceField)
        product_field.choices = [("", _("— pilih produk —"))] + [(p.pk, _product_label(p)) for p in products]


def _product_label(product: LoanProduct) -> str:
    rate = f"{product.rate_pa.normalize():f}".replace(".", ",")
    return f"{product.name} · {product.get_method_display()} · {rate}% p.a."


class ApplicationForm(SimulationForm):
    """A member's loan application taken by the teller; ``idempotency_key`` makes a re-submit harmless."""

    member = forms.IntegerField(widget=forms.HiddenInput)
    purpose = forms.CharField(label=_("Keperluan"), max_length=250, required=False)
    idempotency_key = _key_field()

    field_order = ["member", "product", "principal", "term_months", "applied_on", "purpose"]


# --- products and settings ----------------------------------------------------------------
class ProductForm(Form):
    """A loan product's terms (the service checks every value)."""

    name = forms.CharField(label=_("Nama produk"), max_length=100)
    method = forms.ChoiceField(label=_("Metode bunga"), choices=LoanMethod.choices)
    rate_pa = rate_field(_("Bunga (% per tahun)"), help_text=_("Mis. 12 atau 9,5."))
    min_term_months = forms.IntegerField(label=_("Jangka terpendek (bulan)"))
    max_term_months = forms.IntegerField(label=_("Jangka terpanjang (bulan)"))
    min_principal = AmountField(label=_("Plafon terendah (Rp)"))
    max_principal = AmountField(label=_("Plafon tertinggi (Rp)"))
    admin_fee_percent = rate_field(_("Biaya administrasi (% pokok)"), required=False)
    admin_fee_amount = AmountField(label=_("Biaya administrasi tetap (Rp)"), required=False)
    provision_percent = rate_field(_("Provisi (% pokok)"), required=False)
    provision_amount = AmountField(label=_("Provisi tetap (Rp)"), required=False)
    fees_deducted = forms.BooleanField(
        label=_("Biaya dipotong dari pencairan"),
        required=False,
        help_text=_("Jika tidak dicentang, biaya dibayar tunai saat pencairan."),
    )
    penalty_rate_pm = rate_field(
        _("Denda (% per bulan)"), required=False, help_text=_("Dari angsuran yang tertunggak, dihitung per hari.")
    )
    grace_days = forms.IntegerField(label=_("Masa tenggang denda (hari)"), required=False)
    savings_multiple = rate_field(
        _("Plafon maks. kelipatan simpanan"),
        required=False,
        help_text=_("Mis. 3 = paling banyak 3× total simpanan anggota. Kosongkan jika tidak dipakai."),
    )
    members_only = forms.BooleanField(
        label=_("Hanya anggota aktif"), required=False, help_text=_("Jika tidak, calon anggota juga boleh.")
    )
    is_active = forms.BooleanField(label=_("Produk aktif"), required=False)

    RATE_FIELDS = ("rate_pa", "admin_fee_percent", "provision_percent", "penalty_rate_pm", "savings_multiple")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.RATE_FIELDS:
            if name in data:
                data[name] = clean_rate(data[name])
        for name in ("admin_fee_percent", "provision_percent", "penalty_rate_pm"):
            if data.get(name) == "":
                data[name] = "0"
        for name in ("admin_fee_amount", "provision_amount", "grace_days"):
            if name in data and data[name] is None:
                data[name] = 0
        return data

    @staticmethod
    def initial_from(product: LoanProduct) -> dict[str, Any]:
        values: dict[str, Any] = {name: getattr(product, name) for name in ProductForm.base_fields}
        for name in ProductForm.RATE_FIELDS:
            value = values[name]
            values[name] = "" if value is None else f"{value.normalize():f}".replace(".", ",")
        return values


class LoanSettingForm(Form):
    """Approval limit, collectibility thresholds and PPAP rates in force from a date."""

    effective_from = date_field(_("Berlaku mulai"))
    approval_limit = AmountField(
        label=_("Batas persetujuan bendahara (Rp)"),
        help_text=_("Sampai jumlah ini bendahara (atau ketua) menyetujui sendiri; di atasnya ketua dan pengawas."),
    )
    kurang_lancar_after = forms.IntegerField(
        label=_("Kurang lancar setelah (hari tunggakan)"), help_text=_("Lancar sampai jumlah hari ini.")
    )
    diragukan_after = forms.IntegerField(label=_("Diragukan setelah (hari)"))
    macet_after = forms.IntegerField(label=_("Macet setelah (hari)"))
    rate_lancar = rate_field(_("PPAP lancar (%)"))
    rate_kurang_lancar = rate_field(_("PPAP kurang lancar (%)"))
    rate_diragukan = rate_field(_("PPAP diragukan (%)"))
    rate_macet = rate_field(_("PPAP macet (%)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("rate_lancar", "rate_kurang_lancar", "rate_diragukan", "rate_macet"):
            if name in data:
                data[name] = clean_rate(data[name])
        return data


# --- lifecycle ----------------------------------------------------------------------------
class ApproveForm(Form):
    note = forms.CharField(label=_("Catatan persetujuan"), max_length=250, required=False)


class RejectForm(Form):
    reason = forms.CharField(label=_("Alasan penolakan"), max_length=250, required=False)


class DisburseForm(Form):
    date = date_field(_("Tanggal pencairan"), help_text=_("Jadwal angsuran dihitung dari tanggal ini."))
    channel = forms.ChoiceField(label=_("Cara pencairan"), choices=DisbursementChannel.choices)
    reference = _reference_field()


class RepaymentForm(Form):
    """One repayment at the counter; ``idempotency_key`` makes a re-submit harmless."""

    amount = AmountField(label=_("Jumlah dibayar (Rp)"))
    date = date_field(_("Tanggal bayar"))
    channel = forms.ChoiceField(label=_("Cara bayar"), choices=REPAYMENT_CHANNELS)
    reference = _reference_field()
    idempotency_key = _key_field()


class PayoffForm(Form):
    """Confirm an early payoff at the quoted total (``expected_total``: what the member was shown)."""

    date = forms.DateField(input_formats=["%Y-%m-%d", "%d/%m/%Y"], widget=forms.HiddenInput)
    expected_total = forms.IntegerField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(label=_("Cara bayar"), choices=REPAYMENT_CHANNELS)
    reference = _reference_field()
    idempotency_key = _key_field()


class PayoffQuoteForm(Form):
    date = date_field(_("Tanggal pelunasan"))


class WriteOffProposeForm(Form):
    reason = forms.CharField(label=_("Alasan hapus buku"), max_length=250, required=False)


class WriteOffApproveForm(Form):
    date = date_field(_("Tanggal hapus buku"))


class RecoveryForm(Form):
    """Money received on a written-off loan."""

    amount = AmountField(label=_("Jumlah diterima (Rp)"))
    date = date_field(_("Tanggal terima"))
    channel = forms.ChoiceField(label=_("Cara bayar"), choices=REPAYMENT_CHANNELS)
    reference = _reference_field()
    idempotency_key = _key_field()


class MonthEndForm(Form):
    date = date_field(_("Tanggal tutup bulan"), help_text=_("Biasanya hari terakhir bulan."))


class ReportDateForm(Form):
    day = date_field(_("Per tanggal"), required=False)
