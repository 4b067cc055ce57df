"""HTML forms of the cooperative profile: they parse input only; the services judge it.

Range and format rules (progress 0–100, NIB 13 digits, stage order, ...) live in the
services and ``legal.py``/``stages.py``; a refusal comes back as a ``DomainError`` and the
view puts it on the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from koperasi.cooperatives.choices import FacilityKind, LegalStatus, PartnerKind, Route, Stage, UnitStatus
from koperasi.core.roles import COOPERATIVE_ROLES, Role
from koperasi.regions.models import VILLAGE_LEVELS, Region

# Cooperative roles in the order the Role enum lists them (ketua first).
ROLE_CHOICES: list[tuple[str, str]] = [(r.value, r.label) for r in Role if r in COOPERATIVE_ROLES]


def kelurahan_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Village-level regions grouped by kecamatan, like a ModelChoiceField's choices (one query).

    Fine for a city or a province; the national programme (about 80,000 desa) needs a
    search-as-you-type picker instead of one select.
    """
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    villages = Region.objects.filter(level__in=VILLAGE_LEVELS).select_related("parent").order_by("code")
    for village in villages:
        label = gettext("Kec. %(name)s") % {"name": village.parent.name} if village.parent else "-"
        groups.setdefault(village.parent_id or "", (label, []))[1].append(
            (village.code, f"{village.name} ({village.code})")
        )
    return list(groups.values())


def _date(label: Any) -> forms.DateField:
    # An <input type=date> sends and needs ISO dates whatever the page language is.
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _text(label: Any, *, max_length: int = 250, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required)


class Form(forms.Form):
    """A plain form that marks fields with errors ``aria-invalid`` (Pico colours them)."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"


class CooperativeRegisterForm(Form):
    code = forms.CharField(
        label=_("Kode koperasi"),
        max_length=40,
        help_text=_("Dipakai di alamat halaman, mis. manggar. Huruf kecil, angka dan tanda hubung."),
    )
    name = _text(_("Nama koperasi"), max_length=150, required=True)
    kelurahan_code = forms.ChoiceField(label=_("Kelurahan/desa"))
    stage = forms.ChoiceField(label=_("Tahap saat ini"), choices=Stage.choices, initial=Stage.USULAN)
    route = forms.ChoiceField(label=_("Jalur"), choices=Route.choices, initial=Route.BARU)
    address = _text(_("Alamat"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kelurahan_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— pilih kelurahan/desa —")), *kelurahan_choices()]


class ProfileForm(Form):
    name = _text(_("Nama koperasi"), max_length=150, required=True)
    address = _text(_("Alamat"))
    phone = _text(_("Telepon"), max_length=20)
    email = forms.EmailField(label=_("Email"), required=False)


class LegalRecordForm(Form):
    number = _text(_("Nomor"), max_length=100)
    issued_on = _date(_("Tanggal terbit"))
    status = forms.ChoiceField(label=_("Status"), choices=LegalStatus.choices, initial=LegalStatus.DIPROSES)
    issuer = _text(_("Penerbit (notaris / bank)"), max_length=150)
    holder_name = _text(_("Nama pemilik rekening"), max_length=150)
    note = _text(_("Catatan"))


class StageChangeForm(Form):
    stage = forms.ChoiceField(label=_("Tahap tujuan"), choices=Stage.choices)
    note = _text(_("Catatan / alasan"))


class FacilityForm(Form):
    kind = forms.ChoiceField(label=_("Jenis"), choices=FacilityKind.choices)
    name = _text(_("Nama fasilitas"), max_length=150, required=True)
    address = _text(_("Alamat"))
    progress_pct = forms.IntegerField(
        label=_("Progres pembangunan (%)"),
        initial=0,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
    )
    started_on = _date(_("Mulai dibangun"))
    target_on = _date(_("Target selesai"))
    completed_on = _date(_("Selesai pada"))
    note = _text(_("Catatan"))


class UnitStatusForm(Form):
    status = forms.ChoiceField(label=_("Status"), choices=UnitStatus.choices)


class UnitAddForm(Form):
    code = forms.CharField(label=_("Kode unit"), max_length=40, help_text=_("Huruf kecil, angka, _ atau -."))
    name = _text(_("Nama unit usaha"), max_length=150, required=True)
    status = forms.ChoiceField(label=_("Status"), choices=UnitStatus.choices, initial=UnitStatus.BELUM)
    note = _text(_("Catatan"))


class PartnerForm(Form):
    name = _text(_("Nama mitra"), max_length=150, required=True)
    kind = forms.ChoiceField(label=_("Jenis mitra"), choices=PartnerKind.choices, initial=PartnerKind.BUMN)
    agreement_no = _text(_("Nomor perjanjian"), max_length=100)
    start_on = _date(_("Berlaku sejak"))
    end_on = _date(_("Berakhir"))
    scope = _text(_("Ruang lingkup"))
    business_unit = forms.ChoiceField(label=_("Unit usaha"), required=False)

    def __init__(self, *args: Any, unit_choices: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["business_unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— tidak terkait unit —")), *unit_choices]


class UserAddForm(Form):
    username = forms.CharField(label=_("Nama pengguna"), max_length=40)
    full_name = _text(_("Nama lengkap"), max_length=150)
    password = forms.CharField(
        label=_("Kata sandi"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Wajib untuk pengguna baru."),
    )
    role = forms.ChoiceField(label=_("Peran"), choices=ROLE_CHOICES)

    def offer_roles(self, allowed: Iterable[str]) -> None:
        """Show only ``allowed`` roles in the select (the view still checks the posted role)."""
        keep = set(allowed)
        field = self.fields["role"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, label) for value, label in ROLE_CHOICES if value in keep]
