"""HTML forms of the books: they parse input only; the ledger services judge it.

Whether an account exists, is a group, is active, whether an entry balances or a period
is closed is decided by ``ledger.services`` / ``ledger.opening``; a refusal comes back as
a ``DomainError`` and the view puts it on the form.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from koperasi.cooperatives.models import BusinessUnit, Cooperative
from koperasi.ledger.choices import AccountType, CashFlowGroup, RevenueParty, Side
from koperasi.ledger.models import Account

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def parse_rupiah(text: str) -> int | None:
    """``"1.250.000"``, ``"Rp 1250000"`` -> ``1250000``; empty -> None; anything else -> ValueError.

    Dots are thousand separators as Indonesians write them; a comma (decimal) is refused
    because amounts are whole rupiah.
    """
    value = (text or "").strip()
    if value[:2].lower() == "rp":
        value = value[2:]
    value = value.replace(" ", "").replace("\u00a0", "")
    if not value:
        return None
    if value.isdigit():
        return int(value)
    if _THOUSANDS.match(value):
        return int(value.replace(".", ""))
    raise ValueError(value)


class RupiahField(forms.CharField):
    """A whole-rupiah amount typed with or without thousand dots (``1.250.000``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "placeholder": "0", "maxlength": 30})

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text and len(text) > 30:
            raise forms.ValidationError(gettext("Jumlah terlalu panjang."), code="max_length")
        try:
            amount = parse_rupiah(text or "")
        except ValueError:
            raise forms.ValidationError(
                gettext("Tulis jumlah dalam rupiah bulat, mis. 1.250.000."), code="invalid"
            ) from None
        if amount is not None and amount > 10**15:
            raise forms.ValidationError(gettext("Jumlah terlalu besar."), code="max_value")
        return amount


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    # An <input type=date> sends and needs ISO dates whatever the page language is.
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class Form(forms.Form):
    """A plain form that marks fields with errors ``aria-invalid`` (Pico colours them)."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"


# --- choices ------------------------------------------------------------------------------
def postable_account_choices(accounts: Iterable[Account]) -> list[Any]:
    """Active leaf accounts grouped by type, for a journal line's account select."""
    groups: dict[str, list[tuple[str, str]]] = {t.value: [] for t in AccountType}
    for account in accounts:
        if account.is_active and not account.is_group:
            groups[account.type].append((account.code, f"{account.code} {account.name}"))
    return [("", gettext("— pilih akun —"))] + [(AccountType(t).label, rows) for t, rows in groups.items() if rows]


def group_account_choices(accounts: Iterable[Account]) -> list[tuple[str, str]]:
    """Group (heading) accounts, the possible parents of a new account."""
    return [("", gettext("— tanpa induk —"))] + [(a.code, f"{a.code} {a.name}") for a in accounts if a.is_group]


def unit_choices(cooperative: Cooperative) -> list[tuple[str, str]]:
    """The cooperative's business units (one query), with an empty choice first."""
    units = BusinessUnit.objects.filter(cooperative=cooperative).order_by("-is_prescribed", "id")
    return [("", "—")] + [(u.code, u.name) for u in units]


# --- chart of accounts --------------------------------------------------------------------
class AccountCreateForm(Form):
    code = forms.CharField(
        label=_("Kode akun"),
        max_length=20,
        help_text=_("Diawali 1 aset, 2 kewajiban, 3 ekuitas, 4 pendapatan, 5 beban; mis. 1-1150."),
    )
    name = forms.CharField(label=_("Nama akun"), max_length=150)
    parent_code = forms.ChoiceField(label=_("Akun induk (kelompok)"), required=False)
    is_group = forms.BooleanField(label=_("Akun kelompok (judul, tidak untuk dijurnal)"), required=False)
    revenue_party = forms.ChoiceField(
        label=_("Pihak pendapatan"),
        choices=RevenueParty.choices,
        required=False,
        help_text=_("Untuk akun pendapatan: dari anggota atau bukan anggota (pembagian SHU)."),
    )
    business_unit_code = forms.ChoiceField(label=_("Unit usaha"), required=False)
    cash_flow = forms.ChoiceField(
        label=_("Kelompok arus kas"), choices=[("", "—"), *CashFlowGroup.choices], required=False
    )
    description = forms.CharField(label=_("Keterangan"), max_length=250, required=False)

    def __init__(
        self, *args: Any, parent_choices: list[tuple[str, str]], unit_choices: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._set_choices("parent_code", parent_choices)
        self._set_choices("business_unit_code", unit_choices)

    def _set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class AccountEditForm(Form):
    name = forms.CharField(label=_("Nama akun"), max_length=150)
    is_active = forms.BooleanField(label=_("Aktif (dapat dijurnal)"), required=False)
    normal_side = forms.ChoiceField(
        label=_("Saldo normal"),
        choices=Side.choices,
        help_text=_("Tidak dapat diubah setelah akun memiliki transaksi."),
    )
    cash_flow = forms.ChoiceField(label=_("Kelompok arus kas"), choices=CashFlowGroup.choices)
    description = forms.CharField(label=_("Keterangan"), max_length=250, required=False)


# --- journal ------------------------------------------------------------------------------
class JournalEntryForm(Form):
    date = _date(_("Tanggal"))
    memo = forms.CharField(label=_("Keterangan"), max_length=250)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex


class JournalLineForm(Form):
    """One line; every field optional so an untouched row is simply skipped."""

    account = forms.ChoiceField(label=_("Akun"), required=False)
    debit = RupiahField(label=_("Debit"))
    credit = RupiahField(label=_("Kredit"))
    business_unit = forms.ChoiceField(label=_("Unit usaha"), required=False)

    def __init__(
        self,
        *args: Any,
        account_choices: list[Any] | None = None,
        unit_choices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        account = self.fields["account"]
        unit = self.fields["business_unit"]
        assert isinstance(account, forms.ChoiceField) and isinstance(unit, forms.ChoiceField)
        account.choices = account_choices or [("", "—")]
        unit.choices = unit_choices or [("", "—")]
        self.fields["debit"].widget.attrs["data-amount"] = "debit"
        self.fields["credit"].widget.attrs["data-amount"] = "credit"
        account.widget.attrs["data-account"] = "1"
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = str(field.label)
            if name in ("debit", "credit"):
                field.widget.attrs["size"] = 14

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("account") and not data.get("debit") and not data.get("credit")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "account" not in self.errors and not data.get("account") and (data.get("debit") or data.get("credit")):
            self.add_error("account", gettext("Pilih akun untuk baris ini."))
        return data


class BaseJournalLineFormSet(forms.BaseFormSet):
    def __init__(
        self, *args: Any, account_choices: list[Any], unit_choices: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        self.account_choices = account_choices
        self.unit_choices = unit_choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"account_choices": self.account_choices, "unit_choices": self.unit_choices}


MAX_LINE_ROWS = 200
JournalLineFormSet: Any = forms.formset_factory(
    JournalLineForm,
    formset=BaseJournalLineFormSet,
    extra=0,
    max_num=MAX_LINE_ROWS,
    absolute_max=MAX_LINE_ROWS,
    validate_max=True,
)


class JournalFilterForm(Form):
    date_from = _date(_("Dari tanggal"), required=False)
    date_to = _date(_("Sampai tanggal"), required=False)
    source = forms.ChoiceField(label=_("Sumber"), required=False)

    def __init__(self, *args: Any, source_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext("Semua sumber")), *source_choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_from", gettext("Tanggal awal tidak boleh setelah tanggal akhir."))
        return data


class ReverseForm(Form):
    date = _date(_("Tanggal pembalikan"))
    memo = forms.CharField(
        label=_("Keterangan"),
        max_length=250,
        required=False,
        help_text=_("Kosongkan untuk keterangan otomatis."),
    )


# --- periods ------------------------------------------------------------------------------
class ReasonForm(Form):
    reason = forms.CharField(label=_("Alasan"), max_length=250)


# --- opening balance ----------------------------------------------------------------------
class OpeningUploadForm(Form):
    file = forms.FileField(label=_("Berkas saldo awal (.xlsx)"))

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext("Berkas terlalu besar (paling besar 2 MB)."))
        return upload


class OpeningConfirmForm(Form):
    payload = forms.CharField(widget=forms.HiddenInput)
