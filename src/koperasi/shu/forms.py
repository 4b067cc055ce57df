"""HTML forms of the year-end close and SHU pages: they parse input only; ``shu.services`` judges it.

Whether an allocation sums to exactly 100 %, names a known unit and basis, has a cadangan
line, whether an SHU total is whole and not negative, a RAT date after the year: the
services decide (``allocation_parse``, ``allocation_check``, ``shu_total_check``,
``shu_approve``) and raise a ``DomainError`` that the view puts on the form. So the fields
are not ``required`` here (the browser still asks for the main ones): the bendahara sees
every problem at once, in the services' words.

An allocation is a table of rows (``line3_percent``...). Blank rows are ignored; the n-th
filled row is the services' ``allocation.n``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from koperasi.ledger.forms import Form
from koperasi.loans.forms import date_field
from koperasi.savings.choices import SavingsKind
from koperasi.savings.forms import AmountField
from koperasi.shu.calculations import MAX_LINES, AllocationLine, format_percent, percent_parse
from koperasi.shu.choices import Basis, NonMemberDestination, PaymentMethod, Pool, SpendChannel

DEFAULT_ROWS = 10  # allocation rows a form offers at least; blank ones are ignored
SPARE_ROWS = 2  # empty rows below a prefilled allocation
LINE_FIELDS = ("pool", "percent", "unit", "basis", "label")
YEAR_WIDGET = forms.NumberInput(attrs={"inputmode": "numeric", "min": 1900, "max": 2999})


def line_field(row: int, name: str) -> str:
    """The form field of allocation row ``row`` (1-based): ``line2_percent``."""
    return f"line{row}_{name}"


def row_count(data: Any = None, lines: Sequence[AllocationLine] = ()) -> int:
    """How many allocation rows to offer: the posted ``rows`` or the prefilled lines plus spare ones."""
    wanted = len(lines) + SPARE_ROWS
    if data is not None:
        text = str(data.get("rows", "")).strip()
        wanted = int(text) if text.isdigit() and len(text) < 4 else DEFAULT_ROWS
    return max(DEFAULT_ROWS, min(wanted, MAX_LINES))


def allocation_initial(lines: Iterable[AllocationLine]) -> dict[str, Any]:
    """The initial values of the allocation rows for ``lines`` (percent written 12,5)."""
    initial: dict[str, Any] = {}
    for row, line in enumerate(lines, start=1):
        initial.update(
            {
                line_field(row, "pool"): line.pool,
                line_field(row, "percent"): format_percent(line.percent),
                line_field(row, "unit"): line.unit,
                line_field(row, "basis"): line.basis,
                line_field(row, "label"): line.label,
            }
        )
    return initial


class AllocationForm(Form):
    """The jasa-modal savings kinds and the allocation rows (pool, percent, unit, basis, label)."""

    capital_kinds = forms.MultipleChoiceField(
        label=_("Simpanan dasar jasa modal"),
        choices=SavingsKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Saldo simpanan anggota pada 31 Desember yang dihitung untuk jasa modal."),
    )

    def __init__(
        self, *args: Any, rows: int = DEFAULT_ROWS, units: Iterable[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        unit_choices = [("", "—"), *units]
        for row in range(1, rows + 1):
            self.fields[line_field(row, "pool")] = forms.ChoiceField(
                label=_("Pos"), required=False, choices=[("", "—"), *Pool.choices]
            )
            self.fields[line_field(row, "percent")] = forms.CharField(
                label=_("Persen"),
                required=False,
                max_length=10,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "size": 6, "data-percent": ""}
                ),
            )
            self.fields[line_field(row, "unit")] = forms.ChoiceField(
                label=_("Unit usaha"), required=False, choices=unit_choices
            )
            self.fields[line_field(row, "basis")] = forms.ChoiceField(
                label=_("Dasar jasa usaha"), required=False, choices=[("", "—"), *Basis.choices]
            )
            self.fields[line_field(row, "label")] = forms.CharField(
                label=_("Nama pos lainnya"), required=False, max_length=60
            )
            for name in LINE_FIELDS:  # the rows are a table: each input names its column and row
                field = self.fields[line_field(row, name)]
                aria_label = gettext("%(label)s (baris %(row)s)") % {"label": field.label, "row": row}
                field.widget.attrs["aria-label"] = aria_label

    def main_fields(self) -> list[Any]:
        """The bound fields other than the allocation rows and the capital kinds."""
        return [self[name] for name in self.fields if not name.startswith("line") and name != "capital_kinds"]

    def line_rows(self) -> list[tuple[int, list[Any]]]:
        return [(row, [self[line_field(row, f)] for f in LINE_FIELDS]) for row in range(1, self.rows + 1)]

    def _row_values(self, row: int) -> dict[str, str]:
        # As typed, not as cleaned: an error put on a row's field takes it out of cleaned_data.
        if self.is_bound:
            return {f: str(self.data.get(line_field(row, f)) or "").strip() for f in LINE_FIELDS}
        return {f: str(self.initial.get(line_field(row, f)) or "").strip() for f in LINE_FIELDS}

    def filled_rows(self) -> list[int]:
        """The rows with a pool or a percentage, in order (the n-th is the services' ``allocation.n``)."""
        return [row for row in range(1, self.rows + 1) if (v := self._row_values(row))["pool"] or v["percent"]]

    def allocation_rows(self) -> list[dict[str, str]]:
        """The filled rows as ``shu.services.allocation_parse`` reads them."""
        return [self._row_values(row) for row in self.filled_rows()]

    def percent_sum(self) -> str:
        """The sum of the readable percentages typed (or prefilled), written 12,5."""
        total = Decimal(0)
        for row in self.filled_rows():
            value = percent_parse(self._row_values(row)["percent"])
            if value is not None:
                total += value
        return format_percent(total)

    def field_for(self, key: str) -> str | None:
        """The form field a service error key names (``allocation.2`` → the second filled row's pool)."""
        if key in self.fields:
            return key
        parts = key.split(".")
        if parts[0] != "allocation" or len(parts) < 2 or not parts[1].isdigit():
            return None
        filled = self.filled_rows()
        index = int(parts[1]) - 1
        return line_field(filled[index], "pool") if 0 <= index < len(filled) else None


class PolicyForm(AllocationForm):
    """The SHU rules (AD/ART) in force from a year."""

    effective_year = forms.IntegerField(
        label=_("Berlaku mulai tahun buku"), required=False, widget=YEAR_WIDGET, min_value=1, max_value=9999
    )
    non_member_destination = forms.ChoiceField(
        label=_("SHU dari bukan anggota masuk ke"),
        choices=NonMemberDestination.choices,
        required=False,
        help_text=_("SHU dari bukan anggota tidak dibagikan kepada anggota."),
    )
    note = forms.CharField(
        label=_("Catatan"),
        max_length=250,
        required=False,
        help_text=_("Mis. dasar keputusan: AD/ART pasal ..., keputusan RAT no. ..."),
    )

    field_order = ["effective_year", "non_member_destination", "note", "capital_kinds"]

    def field_for(self, key: str) -> str | None:
        return "effective_year" if key == "year" else super().field_for(key)


class SimulateForm(AllocationForm):
    """A proposed SHU total and allocation, computed over a year's real bases (nothing is saved)."""

    year = forms.IntegerField(label=_("Tahun buku"), widget=YEAR_WIDGET, min_value=1, max_value=9999)
    shu_total = AmountField(
        label=_("SHU yang diusulkan untuk dibagi (Rp)"),
        required=False,
        help_text=_("SHU dari anggota; bagian dari bukan anggota tidak dibagikan."),
    )

    field_order = ["year", "shu_total", "capital_kinds"]


class ApproveForm(AllocationForm):
    """The RAT's decision on a closed year's SHU."""

    rat_date = date_field(_("Tanggal RAT"), required=False)
    decision_number = forms.CharField(
        label=_("Nomor keputusan RAT"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"required": True, "placeholder": "mis. 03/RAT/KKMP/2026"}),
    )

    field_order = ["rat_date", "decision_number", "capital_kinds"]


class YearCloseForm(Form):
    confirm = forms.BooleanField(
        label=_("Saya sudah memeriksa angka di atas. Tutup buku tahun ini."),
        error_messages={"required": _("Centang konfirmasi untuk menutup buku.")},
    )


class ReasonForm(Form):
    reason = forms.CharField(
        label=_("Alasan membuka kembali"),
        max_length=250,
        required=False,
        widget=forms.TextInput(attrs={"required": True}),
    )


class PaymentForm(forms.Form):
    """How and when SHU is paid: in cash, or into the member's simpanan sukarela."""

    method = forms.ChoiceField(
        label=_("Cara bayar"),
        choices=PaymentMethod.choices,
        initial=PaymentMethod.CASH,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih cara bayar."),
            "invalid_choice": _("Cara bayar harus tunai atau sukarela."),
        },
    )
    date = forms.DateField(
        label=_("Tanggal bayar"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Isi tanggal bayar."), "invalid": _("Tanggal tidak valid; gunakan TTTT-BB-HH.")},
    )


class FundSpendForm(Form):
    """Money paid out of one SHU fund; ``idempotency_key`` makes a re-submit harmless.

    ``funds`` are the (key, label) choices of the select; the service decides whether the
    fund exists and holds enough, so a key not offered is passed on for it to judge.
    """

    fund = forms.CharField(
        label=_("Dana"),
        widget=forms.Select,
        error_messages={"required": _("Pilih dana.")},
    )
    amount = AmountField(label=_("Jumlah (Rp)"), error_messages={"required": _("Isi jumlah.")})
    date = forms.DateField(
        label=_("Tanggal"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Isi tanggal."), "invalid": _("Tanggal tidak valid; gunakan TTTT-BB-HH.")},
    )
    channel = forms.ChoiceField(
        label=_("Dibayar"),
        choices=SpendChannel.choices,
        initial=SpendChannel.CASH,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih cara bayar."),
            "invalid_choice": _("Cara bayar harus tunai atau transfer bank."),
        },
    )
    purpose = forms.CharField(
        label=_("Keperluan"),
        max_length=200,
        error_messages={"required": _("Isi keperluan.")},
        widget=forms.TextInput(attrs={"placeholder": _("mis. Pelatihan perkoperasian untuk pengurus")}),
    )
    recipient = forms.CharField(label=_("Penerima"), max_length=120, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100, required=False)

    def __init__(self, *args: Any, funds: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["fund"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", gettext("— pilih dana —")), *funds]
