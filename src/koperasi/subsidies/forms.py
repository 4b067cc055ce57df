"""HTML forms of the subsidy pages: they parse input only; ``subsidies.services`` judges it.

Whether a price is under the HET, a rule complete, a NIK valid or already registered, an
usaha mikro's NIB present: the services decide (``validation.recipient_data_check`` for a
recipient) and raise a ``DomainError`` that the view puts on the form. So the recipient's
fields are not ``required`` here (the browser still asks for the main ones): a clerk sees
every problem at once, in the services' words.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from koperasi.ledger.forms import Form
from koperasi.loans.forms import date_field
from koperasi.members.forms import kelurahan_choices
from koperasi.members.identity import IdentityError, nik_parse
from koperasi.regions.models import Region
from koperasi.savings.forms import AmountField, MonthField
from koperasi.subsidies import importing
from koperasi.subsidies.choices import RecipientCategory, RulePer, RulePeriod
from koperasi.subsidies.services import ProgramInput, RuleInput

RULE_ROWS = 4  # rule rows a new programme's form offers; blank ones are ignored
SEARCH_MAX = 100
RULE_FIELDS = ("per", "period", "max_qty", "max_purchases")


def _text(label: Any, *, max_length: int, browser_required: bool = False, **attrs: Any) -> forms.CharField:
    """A text field the service checks; ``browser_required`` only asks the browser to insist."""
    widget_attrs = dict(attrs)
    if browser_required:
        widget_attrs["required"] = True
    return forms.CharField(
        label=label, max_length=max_length, required=False, widget=forms.TextInput(attrs=widget_attrs)
    )


def _count(label: Any, *, required: bool = False, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        help_text=help_text,
        min_value=0,
        max_value=10**9,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )


def _set_choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


def rule_field(row: int, name: str) -> str:
    """The form field of rule row ``row`` (1-based): ``rule2_max_qty``."""
    return f"rule{row}_{name}"


# --- programmes ---------------------------------------------------------------------------
class ProgramForm(Form):
    """A new programme: product, price, validity, categories and up to four quota rules."""

    product = forms.TypedChoiceField(label=_("Barang"), coerce=int, empty_value=None)
    name = forms.CharField(label=_("Nama program"), max_length=150)
    partner = forms.CharField(
        label=_("Mitra"), max_length=150, help_text=_("Mis. PT Pertamina Patra Niaga, Perum Bulog.")
    )
    price = AmountField(label=_("Harga jual kepada penerima (Rp)"), help_text=_("Tidak boleh di atas HET."))
    valid_from = date_field(_("Berlaku mulai"))
    valid_to = date_field(_("Berlaku sampai"), required=False, help_text=_("Kosongkan bila belum ditentukan."))
    monthly_allocation = _count(
        _("Alokasi bulanan"), help_text=_("Satuan jual dari mitra per bulan; 0 bila tidak ada.")
    )
    categories = forms.MultipleChoiceField(
        label=_("Kategori penerima"),
        choices=RecipientCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    registration_required = forms.BooleanField(
        label=_("Hanya NIK yang terdaftar sebagai penerima boleh membeli"), required=False
    )
    note = forms.CharField(label=_("Catatan"), max_length=250, required=False)

    def __init__(self, *args: Any, products: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "product", [("", gettext("— pilih barang —")), *products])
        for row in range(1, RULE_ROWS + 1):
            self.fields[rule_field(row, "per")] = forms.ChoiceField(
                label=_("Dihitung per"), required=False, choices=[("", "—"), *RulePer.choices]
            )
            self.fields[rule_field(row, "period")] = forms.ChoiceField(
                label=_("Periode"), required=False, choices=[("", "—"), *RulePeriod.choices]
            )
            self.fields[rule_field(row, "max_qty")] = _count(_("Batas jumlah"))
            self.fields[rule_field(row, "max_purchases")] = _count(_("Batas kali beli"))
            for name in RULE_FIELDS:  # the rows are a table: each input names its column and row
                field = self.fields[rule_field(row, name)]
                aria_label = gettext("%(label)s (aturan %(row)s)") % {"label": field.label, "row": row}
                field.widget.attrs["aria-label"] = aria_label

    def main_fields(self) -> list[Any]:
        """The bound fields other than the rule rows (the template shows those as a table)."""
        return [self[name] for name in self.fields if not name.startswith("rule")]

    def rule_rows(self) -> list[tuple[int, list[Any]]]:
        return [(row, [self[rule_field(row, f)] for f in RULE_FIELDS]) for row in range(1, RULE_ROWS + 1)]

    def filled_rule_rows(self) -> list[int]:
        """The rule rows with anything typed in them, in order (the n-th is the service's ``rules.n``)."""
        data = self.cleaned_data
        return [
            row
            for row in range(1, RULE_ROWS + 1)
            if any(data.get(rule_field(row, f)) not in (None, "") for f in RULE_FIELDS)
        ]

    def program_input(self) -> ProgramInput:
        data = self.cleaned_data
        rules = [
            RuleInput(
                per=data[rule_field(row, "per")],
                period=data[rule_field(row, "period")],
                max_qty=data[rule_field(row, "max_qty")],
                max_purchases=data[rule_field(row, "max_purchases")],
            )
            for row in self.filled_rule_rows()
        ]
        return ProgramInput(
            name=data["name"],
            product=data["product"],
            partner=data["partner"],
            price=data["price"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            monthly_allocation=data["monthly_allocation"] or 0,
            categories=list(data["categories"]),
            registration_required=data["registration_required"],
            rules=rules,
            note=data["note"],
        )

    def field_for(self, key: str) -> str | None:
        """The form field a service error key names (``rules.2.max_qty`` → the second filled rule row)."""
        if key in self.fields:
            return key
        parts = key.split(".")
        if parts[0] != "rules" or len(parts) < 2 or not parts[1].isdigit():
            return None
        filled = self.filled_rule_rows() if hasattr(self, "cleaned_data") else []
        index = int(parts[1]) - 1
        if not 0 <= index < len(filled):
            return None
        name = parts[2] if len(parts) > 2 and parts[2] in RULE_FIELDS else "per"
        return rule_field(filled[index], name)


class AllocationForm(Form):
    month = MonthField(label=_("Bulan"))
    qty = _count(_("Alokasi (satuan jual)"), required=True)
    reference = forms.CharField(label=_("Nomor surat/DO"), max_length=100, required=False)


class ProgramEndForm(Form):
    valid_to = date_field(_("Hari terakhir program"))
    reason = forms.CharField(label=_("Alasan"), max_length=250)


class QuotaCheckForm(Form):
    """Cek kuota: a NIK typed or read from the KTP."""

    nik = forms.CharField(
        label=_("NIK pembeli"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "aria-label": _("NIK pembeli")}),
    )

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_nik(self) -> str:
        try:
            return nik_parse(self.cleaned_data["nik"], today=self.today).nik
        except IdentityError as exc:
            raise forms.ValidationError(str(exc)) from None


# --- recipients ---------------------------------------------------------------------------
class RecipientFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Nama, NIK atau No. KK")}),
    )
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Semua")), ("1", _("Aktif")), ("0", _("Nonaktif"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "category", [("", gettext("Semua kategori")), *RecipientCategory.choices])


class RecipientForm(Form):
    """Registration of a recipient; field names are the service's keys."""

    nik = _text(_("NIK"), max_length=30, browser_required=True, inputmode="numeric", autocomplete="off")
    kk = _text(_("No. KK"), max_length=30, browser_required=True, inputmode="numeric", autocomplete="off")
    name = _text(_("Nama lengkap (sesuai KTP)"), max_length=200, browser_required=True)
    category = forms.ChoiceField(label=_("Kategori"), choices=RecipientCategory.choices)
    nib = _text(_("NIB"), max_length=30, inputmode="numeric", autocomplete="off")
    business_name = _text(_("Nama usaha"), max_length=150)
    address = _text(_("Alamat (jalan, RT/RW)"), max_length=300)
    phone = _text(_("No. HP"), max_length=30, inputmode="tel", placeholder="0812-3456-7890")
    kelurahan_code = forms.ChoiceField(label=_("Kelurahan/desa"), required=False)
    registered_on = forms.CharField(
        label=_("Tanggal daftar"),
        max_length=20,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(
        self, *args: Any, villages: Iterable[Region] = (), extra_village: tuple[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", gettext("— pilih kelurahan/desa —")), *kelurahan_choices(villages)]
        if extra_village is not None:
            choices.append(extra_village)  # a recipient registered outside the cooperative's kota keeps it
        _set_choices(self, "kelurahan_code", choices)
        self.fields["nik"].help_text = _("16 angka sesuai KTP.")
        self.fields["nib"].help_text = _("Wajib untuk usaha mikro: 13 angka dari OSS.")
        self.fields["phone"].help_text = _("Disimpan sebagai +62….")


class RecipientEditForm(RecipientForm):
    """A correction: the NIK and the registration date never change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["nik"]
        del self.fields["registered_on"]
        self.fields["kk"].widget.attrs.pop("required", None)  # blank keeps the stored KK (not shown here)


class DeactivateForm(Form):
    reason = forms.CharField(
        label=_("Alasan"), max_length=250, help_text=_("Mis. pindah domisili, tidak lagi berhak, meninggal.")
    )
    date = date_field(_("Tanggal"), required=False, help_text=_("Kosong = hari ini."))


class ReactivateForm(Form):
    note = forms.CharField(label=_("Catatan"), max_length=250)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Berkas penerima (.xlsx atau .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > importing.MAX_BYTES:
            raise forms.ValidationError(
                gettext("Berkas terlalu besar (paling besar %(mb)d MB).") % {"mb": importing.MAX_BYTES // 2**20}
            )
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
