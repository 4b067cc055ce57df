"""HTML forms of the member registry: they parse input only; the services judge it.

Whether a NIK is valid, a No. KK plausible, a phone number Indonesian, a date in range or a
NIK already a member is decided by ``members.services`` (``validation.member_data_check``)
and ``savings.services.member_exit``; a refusal comes back as a ``DomainError`` and the view
puts it on the form. So the identity fields are not ``required`` here (the browser still
asks for them): a clerk sees every problem of the form at once, in the services' words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from koperasi.cooperatives.forms import Form
from koperasi.members.choices import ENDED_STATUSES, MemberStatus
from koperasi.regions.models import Region
from koperasi.savings.choices import Channel

SEARCH_MAX = 100


def _text(label: Any, *, max_length: int, browser_required: bool = False, **attrs: Any) -> forms.CharField:
    """A text field the service checks; ``browser_required`` only asks the browser to insist."""
    widget_attrs = dict(attrs)
    if browser_required:
        widget_attrs["required"] = True
    # A little slack over the model's length: the service gives the Indonesian reason for too long.
    return forms.CharField(
        label=label, max_length=max_length, required=False, widget=forms.TextInput(attrs=widget_attrs)
    )


def _date_text(label: Any) -> forms.CharField:
    # An <input type=date> sends ISO dates; the service also reads DD/MM/YYYY and names the field if neither.
    return forms.CharField(
        label=label,
        max_length=20,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def kelurahan_choices(villages: Iterable[Region]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Group kelurahan/desa (with ``parent`` joined) by kecamatan for a select."""
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for village in villages:
        label = gettext("Kec. %(name)s") % {"name": village.parent.name} if village.parent else "-"
        groups.setdefault(village.parent_id or "", (label, []))[1].append((village.code, village.name))
    return list(groups.values())


class MemberFilterForm(forms.Form):
    """The list's status filter and search box (GET)."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=SEARCH_MAX,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("No. anggota, NIK atau nama")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Semua status")), *MemberStatus.choices]


class MemberForm(Form):
    """Registration and correction of a member; field names are the service's keys."""

    nik = _text(_("NIK"), max_length=30, browser_required=True, inputmode="numeric", autocomplete="off")
    kk = _text(_("No. KK"), max_length=30, browser_required=True, inputmode="numeric", autocomplete="off")
    name = _text(_("Nama lengkap (sesuai KTP)"), max_length=200, browser_required=True)
    birth_place = _text(_("Tempat lahir"), max_length=100)
    address = _text(_("Alamat (jalan, RT/RW)"), max_length=300, browser_required=True)
    kelurahan_code = forms.ChoiceField(label=_("Kelurahan/desa"), required=False)
    phone = _text(_("No. HP"), max_length=30, inputmode="tel", placeholder="0812-3456-7890")
    occupation = _text(_("Pekerjaan"), max_length=100)
    joined_on = _date_text(_("Tanggal masuk"))

    def __init__(
        self,
        *args: Any,
        villages: Iterable[Region] = (),
        extra_village: tuple[str, str] | None = None,
        preview_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if preview_url:  # HTMX: show what the NIK encodes while it is typed (the page works without it)
            self.fields["nik"].widget.attrs.update(
                {
                    "hx-get": preview_url,
                    "hx-trigger": "input changed delay:400ms",
                    "hx-target": "#nik-preview",
                    "hx-vals": '{"pratinjau": "nik"}',
                    "hx-sync": "this:replace",
                }
            )
        choices: list[Any] = [("", _("— pilih kelurahan/desa —")), *kelurahan_choices(villages)]
        if extra_village is not None:
            choices.append(extra_village)  # a member living outside the cooperative's kota keeps it
        field = self.fields["kelurahan_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        self.fields["nik"].help_text = _("16 angka; jenis kelamin dan tanggal lahir dibaca dari NIK.")
        self.fields["phone"].help_text = _("Disimpan sebagai +62….")


class ExitForm(Form):
    """Ending a membership: the first POST shows the calculation, the second (confirm) settles it."""

    status = forms.ChoiceField(
        label=_("Alasan berakhir"),
        choices=[(s.value, s.label) for s in ENDED_STATUSES],
        initial=MemberStatus.KELUAR,
    )
    date = forms.DateField(
        label=_("Tanggal keluar"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Keterangan"),
        max_length=250,
        required=False,
        help_text=_("Wajib untuk anggota yang diberhentikan."),
    )
    channel = forms.ChoiceField(
        label=_("Cara pembayaran pengembalian"),
        choices=[(Channel.TUNAI.value, Channel.TUNAI.label), (Channel.TRANSFER.value, Channel.TRANSFER.label)],
        initial=Channel.TUNAI,
    )
    reference = forms.CharField(
        label=_("No. referensi transfer"), max_length=60, required=False, help_text=_("Wajib bila transfer.")
    )
    expected_payout = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PortalAccountForm(Form):
    """A username and the password typed twice for a member's portal login."""

    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "required": True, "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "required": True}),
    )
    password_again = forms.CharField(
        label=_("Ulangi kata sandi"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "required": True}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password", "") != cleaned.get("password_again", ""):
            self.add_error("password_again", gettext("Kedua kata sandi tidak sama."))
        return cleaned


class PortalLinkForm(Form):
    """The username of a login this cooperative already has (an officer who is also a member)."""

    link_username = forms.CharField(
        label=_("Nama pengguna yang sudah ada"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
