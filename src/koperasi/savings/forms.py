"""HTML forms of savings: they parse input only; ``savings.services`` judges it.

Whether an amount is positive, whole and under the limit, whether pokok may be paid or
sukarela withdrawn, whether a month is over: the services decide and raise a
``DomainError`` that the view puts on the form. So an amount typed with a decimal part
or a minus sign is parsed here as it is and refused there, with the service's message.
"""

from __future__ import annotations

import datetime
import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from koperasi.ledger.forms import Form
from koperasi.savings.choices import Channel, SavingsKind, TxnType

_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")  # 1.250.000 or 1.250.000,50
_DECIMAL_COMMA = re.compile(r"^\d+,\d+$")  # 12500,5
_DECIMAL_POINT = re.compile(r"^\d+\.\d+$")  # 12.5 (not three digits after the point: see _THOUSANDS)
_MONTH_ISO = re.compile(r"^(\d{4})-(\d{1,2})$")  # 2026-03, what <input type=month> sends
_MONTH_ID = re.compile(r"^(\d{1,2})/(\d{4})$")  # 03/2026, typed where the browser shows a text box

DIRECTION_CHOICES = [(TxnType.SETOR.value, TxnType.SETOR.label), (TxnType.TARIK.value, TxnType.TARIK.label)]
CHANNEL_CHOICES = [(Channel.TUNAI.value, Channel.TUNAI.label), (Channel.TRANSFER.value, Channel.TRANSFER.label)]


def parse_amount(text: str) -> int | Decimal | None:
    """``"1.250.000"``, ``"Rp 1250000"`` -> ``1250000``; ``"12,5"`` -> ``Decimal("12.5")``; "" -> None.

    Dots are thousand separators and a comma the decimal mark, as Indonesians write them;
    a minus sign is kept. A whole value comes back as ``int``, a fraction as ``Decimal``
    (the service refuses it). Anything else raises ValueError.
    """
    value = (text or "").strip()
    negative = value.startswith("-")
    if negative:
        value = value[1:].strip()
    if value[:2].lower() == "rp":
        value = value[2:]
    value = value.replace(" ", "").replace("\u00a0", "")
    if not value:
        if negative:
            raise ValueError(text)
        return None
    if value.isdigit():
        number = Decimal(value)
    elif _THOUSANDS.match(value) or _DECIMAL_COMMA.match(value):
        number = Decimal(value.replace(".", "").replace(",", "."))
    elif _DECIMAL_POINT.match(value):
        number = Decimal(value)
    else:
        raise ValueError(text)
    if negative:
        number = -number
    return int(number) if number == number.to_integral_value() else number


class AmountField(forms.CharField):
    """A rupiah amount as typed (``1.250.000``); sign and decimals are left for the service to refuse."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": 30})

    def to_python(self, value: Any) -> int | Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text and len(text) > 30:
            raise forms.ValidationError(gettext("Jumlah terlalu panjang."), code="max_length")
        try:
            return parse_amount(text or "")
        except (ValueError, InvalidOperation):
            raise forms.ValidationError(gettext("Tulis jumlah dalam rupiah, mis. 1.250.000."), code="invalid")


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    # An <input type=date> sends ISO dates whatever the page language is; 23/11/2026 is typed by hand.
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def month_value(month: datetime.date) -> str:
    """The value an ``<input type=month>`` shows for ``month``: ``2026-03``."""
    return f"{month:%Y-%m}"


class MonthField(forms.CharField):
    """A month as ``2026-03`` (``<input type=month>``) or ``03/2026``; cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        match = _MONTH_ISO.match(text)
        year, month = (match.group(1), match.group(2)) if match else ("", "")
        if not match and (match := _MONTH_ID.match(text)):
            year, month = match.group(2), match.group(1)
        try:
            return datetime.date(int(year), int(month), 1)
        except ValueError:
            raise forms.ValidationError(gettext("Tulis bulan sebagai TTTT-BB, mis. 2026-03."), code="invalid")


# --- teller -------------------------------------------------------------------------------
class MemberSearchForm(Form):
    q = forms.CharField(
        label=_("Cari anggota"),
        max_length=100,
        required=False,
        help_text=_("Nomor anggota, NIK, atau nama."),
    )


class TellerForm(Form):
    """One deposit or withdrawal at the counter; ``idempotency_key`` makes a re-submit harmless."""

    member = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Jenis simpanan"), choices=SavingsKind.choices)
    direction = forms.ChoiceField(label=_("Transaksi"), choices=DIRECTION_CHOICES)
    amount = AmountField(label=_("Jumlah (Rp)"))
    date = _date(_("Tanggal"))
    channel = forms.ChoiceField(label=_("Cara bayar"), choices=CHANNEL_CHOICES)
    reference = forms.CharField(
        label=_("Nomor referensi"), max_length=60, required=False, help_text=_("Wajib untuk transfer bank.")
    )
    memo = forms.CharField(
        label=_("Keterangan"), max_length=250, required=False, help_text=_("Kosongkan untuk keterangan otomatis.")
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=90, required=False)

    @staticmethod
    def new_key() -> str:
        """A fresh key for one rendering of the form (one transaction however often it is sent)."""
        return secrets.token_urlsafe(24)


# --- settings -----------------------------------------------------------------------------
class SettingForm(Form):
    """A new row of savings rules in force from a date (the service checks every value)."""

    effective_from = _date(_("Berlaku mulai"))
    pokok_amount = AmountField(label=_("Simpanan pokok (Rp)"), help_text=_("Dibayar sekali saat menjadi anggota."))
    wajib_amount = AmountField(label=_("Simpanan wajib per bulan (Rp)"))
    wajib_due_day = forms.IntegerField(label=_("Tanggal jatuh tempo wajib"), help_text=_("Tanggal 1–28 setiap bulan."))
    sukarela_rate_pa = forms.CharField(
        label=_("Bunga simpanan sukarela (% per tahun)"), max_length=10, help_text=_("Mis. 6 atau 4,5.")
    )
    sukarela_min_balance = AmountField(
        label=_("Saldo minimum untuk bunga (Rp)"),
        required=False,
        help_text=_("Saldo terendah sebulan di bawah ini tidak mendapat bunga."),
    )
    transaction_limit = AmountField(
        label=_("Batas satu transaksi (Rp)"), help_text=_("Di atas batas ini dianggap salah ketik.")
    )

    def clean_sukarela_rate_pa(self) -> str:
        # "4,5 %" -> "4.5"; whether it is a valid rate is for the service to say.
        return str(self.cleaned_data["sukarela_rate_pa"]).replace("%", "").replace(",", ".").strip()

    def clean_sukarela_min_balance(self) -> Any:
        value = self.cleaned_data["sukarela_min_balance"]
        return 0 if value is None else value


# --- batches ------------------------------------------------------------------------------
class WajibBillsForm(Form):
    month = MonthField(label=_("Bulan tagihan"))


class InterestRunForm(Form):
    month = MonthField(label=_("Bulan bunga"), help_text=_("Bulan yang sudah berakhir."))


class WajibAmountForm(Form):
    """A member's own monthly wajib; empty means "as the settings say"."""

    wajib_amount = AmountField(label=_("Simpanan wajib per bulan (Rp)"), required=False)


class ReverseForm(Form):
    """Why a transaction is wrong, and the day the correction is booked."""

    reason = forms.CharField(label=_("Alasan koreksi"), max_length=200, required=False)
    date = forms.DateField(label=_("Tanggal koreksi"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
