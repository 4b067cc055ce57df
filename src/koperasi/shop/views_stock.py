"""Pages of the stock: quantities and value per location, the stock card, transfers, stock counts
(opname) and the consignment goods of members' UMKM."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from koperasi.cooperatives.models import Cooperative
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.shop import selectors, services
from koperasi.shop.choices import LocationKind, SupplierPaymentChannel
from koperasi.shop.forms import (
    ConsignmentReceiveForm,
    CountForm,
    LocationFilterForm,
    PaymentForm,
    StockCardFilterForm,
    TransferForm,
    line_formset,
    with_extra_row,
)
from koperasi.shop.models import Location, StockCount
from koperasi.shop.views_back import (
    GET_POST,
    REFUSED,
    add_domain_error,
    first_of_kind,
    location_choices,
    locations,
    object_id,
    shop_coop,
    shop_page,
)

CARD_DAYS = 90  # the stock card shows this many days back unless dates are chosen
RECENT = 10


def _place(places: list[Location], location_id: int | None) -> Location | None:
    return next((place for place in places if place.pk == location_id), None)


# --- stock --------------------------------------------------------------------------------
@login_required
@require_GET
def stock(request: HttpRequest, code: str) -> HttpResponse:
    """Quantity and value of every product (all locations, or one); the total beside the ledger's inventory."""
    coop, roles = shop_coop(request, code, Action.SHOP_VIEW)
    places = locations(coop)
    form = LocationFilterForm(request.GET, locations=location_choices(places), blank=_("Semua lokasi"))
    form.is_valid()
    place = _place(places, form.cleaned_data.get("location"))
    rows = selectors.stock_list(cooperative=coop, location=place)
    return shop_page(
        request,
        "stock.html",
        coop,
        roles,
        "stock",
        form=form,
        place=place,
        rows=rows,
        total_qty=sum(row.qty for row in rows if not row.is_consignment),
        total_value=sum(row.value for row in rows),
        reconciliation=selectors.inventory_reconcile(cooperative=coop),
        transfers=list(selectors.transfer_list(cooperative=coop)[:RECENT]),
        counts=list(selectors.count_list(cooperative=coop)[:RECENT]),
    )


@login_required
@require_GET
def stock_card(request: HttpRequest, code: str, product_id: int) -> HttpResponse:
    """A product's stock card: each move with the running quantity (and value), between two dates."""
    coop, roles = shop_coop(request, code, Action.SHOP_VIEW)
    product = selectors.product_get(cooperative=coop, product_id=object_id(product_id))
    places = locations(coop)
    today = timezone.localdate()
    form = StockCardFilterForm(
        request.GET if request.GET else None,
        locations=location_choices(places),
        initial={"start": today - datetime.timedelta(days=CARD_DAYS), "end": today},
    )
    start: datetime.date | None = today - datetime.timedelta(days=CARD_DAYS)
    end: datetime.date | None = None
    place = None
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        place = _place(places, form.cleaned_data["location"])
    card = selectors.stock_card(cooperative=coop, product=product, location=place, start=start, end=end)
    return shop_page(
        request,
        "stock_card.html",
        coop,
        roles,
        "stock",
        form=form,
        product=product,
        place=place,
        card=card,
        start=start,
        end=end,
    )


@login_required
@GET_POST
def transfer_new(request: HttpRequest, code: str) -> HttpResponse:
    """Move goods between locations (gudang → gerai); the value stays in inventory."""
    coop, roles = shop_coop(request, code, Action.SHOP_STOCK)
    places = locations(coop)
    choices = location_choices(places)
    products = [(p.pk, f"{p.name} ({p.sku})") for p in selectors.product_list(cooperative=coop, active_only=True)]
    status = 200
    if request.method == "POST":
        adding = "tambah_baris" in request.POST  # one more line row; nothing is checked or written yet
        data = with_extra_row(request.POST) if adding else request.POST
        form = TransferForm(
            None if adding else data, initial=request.POST.dict() if adding else None, locations=choices
        )
        lines = line_formset(data, products=products, with_cost=False)
        if not adding:
            status = 422
            if form.is_valid() and lines.is_valid():
                cleaned = form.cleaned_data
                try:
                    transfer = services.stock_transfer(
                        cooperative=coop,
                        from_location=cleaned["from_location"],
                        to_location=cleaned["to_location"],
                        date=cleaned["date"],
                        lines=lines.transfer_lines(),
                        note=cleaned["note"],
                        actor=request.user,
                    )
                except REFUSED as exc:
                    status = add_domain_error(form, exc, lines=lines)
                else:
                    messages.success(
                        request,
                        _("Mutasi %(no)s dari %(src)s ke %(dst)s dicatat.")
                        % {
                            "no": transfer.transfer_no,
                            "src": transfer.from_location.name,
                            "dst": transfer.to_location.name,
                        },
                    )
                    url = reverse("shop:stock", args=[coop.code])
                    return redirect(f"{url}?{urlencode({'location': transfer.to_location_id})}")
    else:
        form = TransferForm(
            locations=choices,
            initial={
                "from_location": first_of_kind(places, LocationKind.GUDANG),
                "to_location": first_of_kind(places, LocationKind.GERAI),
                "date": timezone.localdate(),
            },
        )
        lines = line_formset(products=products, with_cost=False)
    return shop_page(request, "transfer_form.html", coop, roles, "stock", status, form=form, lines=lines)


def _count_url(coop: Cooperative, location_id: int, result_id: int | None = None) -> str:
    params: dict[str, int] = {"location": location_id}
    if result_id is not None:
        params["hasil"] = result_id
    return f"{reverse('shop:count_new', args=[coop.code])}?{urlencode(params)}"


@login_required
@GET_POST
def count_new(request: HttpRequest, code: str) -> HttpResponse:
    """A stock count (opname) at one location: every product with its system quantity and a box for the count.

    Only the boxes filled in are posted; the difference is booked at moving-average cost. After
    posting, the page shows the count's result (``?hasil=<id>``).
    """
    coop, roles = shop_coop(request, code, Action.SHOP_STOCK_COUNT)
    places = locations(coop)
    choices = location_choices(places)
    source = request.POST if request.method == "POST" else request.GET
    default = first_of_kind(places, LocationKind.GERAI)
    if "location" in source:
        picker = LocationFilterForm(source, locations=choices)
        place = _place(places, picker.cleaned_data.get("location")) if picker.is_valid() else None
        if place is None:
            if not picker.errors:
                picker.add_error("location", _("Pilih lokasi yang dihitung."))
            return _count_page(request, coop, roles, picker, None, None, status=422)
    else:
        picker = LocationFilterForm(locations=choices, initial={"location": default})
        place = _place(places, default)
    rows = selectors.stock_list(cooperative=coop, location=place) if place else []
    status = 200
    if request.method == "POST" and place is not None:
        form = CountForm(request.POST, locations=choices, rows=rows)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                count = services.stock_count_post(
                    cooperative=coop,
                    location=place,
                    date=data["date"],
                    counts=form.counts(),
                    note=data["note"],
                    actor=request.user,
                )
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Stok opname %(no)s di %(place)s diposting; selisih nilai %(value)s.")
                    % {"no": count.count_no, "place": place.name, "value": format_rupiah(count.variance_value)},
                )
                return redirect(_count_url(coop, place.pk, count.pk))
    else:
        form = CountForm(
            locations=choices,
            rows=rows,
            initial={"location": place.pk if place else None, "date": timezone.localdate()},
        )
    result = None
    if request.method == "GET" and request.GET.get("hasil", "").isdigit():
        result = selectors.stock_count_get(cooperative=coop, count_id=object_id(int(request.GET["hasil"])))
    return _count_page(request, coop, roles, picker, form, result, status=status)


def _count_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    picker: LocationFilterForm,
    form: CountForm | None,
    result: StockCount | None,
    *,
    status: int,
) -> HttpResponse:
    lines = [(line, line.counted_qty - line.system_qty) for line in result.lines.all()] if result else []
    return shop_page(
        request,
        "count_form.html",
        coop,
        roles,
        "count",
        status,
        picker=picker,
        form=form,
        result=result,
        result_lines=lines,
    )


# --- consignment --------------------------------------------------------------------------
@login_required
@require_GET
def consignment(request: HttpRequest, code: str) -> HttpResponse:
    """The UMKM consignors: their goods and stock here, and what the cooperative owes each."""
    coop, roles = shop_coop(request, code, Action.SHOP_VIEW)
    rows = selectors.consignment_overview(cooperative=coop)
    return shop_page(
        request,
        "consignment.html",
        coop,
        roles,
        "consignment",
        rows=rows,
        owed_total=sum(row.owed for row in rows),
    )


@login_required
@GET_POST
def consignment_receive(request: HttpRequest, code: str) -> HttpResponse:
    """A UMKM's goods taken in on consignment, or (ticked) unsold ones handed back; no money moves."""
    coop, roles = shop_coop(request, code, Action.SHOP_STOCK)
    places = locations(coop)
    choices = {
        "products": [
            (p.pk, f"{p.name} ({p.consignor.name if p.consignor else ''})")
            for p in selectors.product_list(cooperative=coop)
            if p.consignor_id is not None
        ],
        "locations": location_choices(places),
    }
    status = 200
    if request.method == "POST":
        form = ConsignmentReceiveForm(request.POST, **choices)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                move = services.consignment_receive(
                    cooperative=coop,
                    product=data["product"],
                    qty=data["qty"],
                    date=data["date"],
                    location=data["location"],
                    withdraw=data["withdraw"],
                    actor=request.user,
                )
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                text = (
                    _("%(qty)s %(name)s dikembalikan kepada pemiliknya.")
                    if data["withdraw"]
                    else _("%(qty)s %(name)s diterima sebagai titipan.")
                )
                messages.success(request, text % {"qty": abs(move.qty), "name": move.product.name})
                return redirect("shop:consignment", coop.code)
    else:
        initial = {"date": timezone.localdate(), "location": first_of_kind(places, LocationKind.GERAI)}
        if request.GET.get("barang", "").isdigit():
            initial["product"] = int(request.GET["barang"])
        form = ConsignmentReceiveForm(initial=initial, **choices)
    return shop_page(request, "consignment_receive.html", coop, roles, "consignment", status, form=form)


@login_required
@GET_POST
def consignment_settle(request: HttpRequest, code: str, supplier_id: int) -> HttpResponse:
    """Pay a UMKM what its sold goods earned, less the cooperative's commission."""
    coop, roles = shop_coop(request, code, Action.SHOP_PAY)
    supplier = selectors.supplier_get(cooperative=coop, supplier_id=object_id(supplier_id))
    owed = selectors.consignment_payable(cooperative=coop, consignor=supplier)
    status = 200
    if request.method == "POST":
        form = PaymentForm(request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                settlement = services.consignment_settle(
                    cooperative=coop,
                    consignor=supplier,
                    amount=data["amount"],
                    date=data["date"],
                    channel=data["channel"],
                    reference=data["reference"],
                    actor=request.user,
                )
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Pembayaran hasil titipan %(amount)s kepada %(name)s dicatat.")
                    % {"amount": format_rupiah(settlement.amount), "name": supplier.name},
                )
                return redirect("shop:consignment", coop.code)
    else:
        form = PaymentForm(
            initial={"amount": owed, "date": timezone.localdate(), "channel": SupplierPaymentChannel.TUNAI}
        )
    return shop_page(
        request,
        "payment_form.html",
        coop,
        roles,
        "consignment",
        status,
        form=form,
        supplier=supplier,
        owed=owed,
        action=reverse("shop:consignment_settle", args=[coop.code, supplier.pk]),
        consignment=True,
    )
