"""Pages of the catalogue: products, their prices (never above the HET) and the HET table."""

from __future__ import annotations

from typing import Any

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
from koperasi.core.access import dinas_region_codes, is_admin, region_contains
from koperasi.core.errors import PermissionDenied
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.ledger.forms import unit_choices
from koperasi.shop import selectors, services
from koperasi.shop.choices import SupplierKind
from koperasi.shop.forms import HetForm, PriceForm, ProductEditForm, ProductFilterForm, ProductForm, ProductNewForm
from koperasi.shop.models import Product
from koperasi.shop.views_back import (
    GET_POST,
    REFUSED,
    add_domain_error,
    locations,
    object_id,
    page_of,
    shop_coop,
    shop_page,
)


def _product(coop: Cooperative, product_id: int) -> Product:
    return selectors.product_get(cooperative=coop, product_id=object_id(product_id))


def _detail_url(coop: Cooperative, product: Product) -> str:
    return reverse("shop:product_detail", args=[coop.code, product.pk])


def _form_choices(coop: Cooperative, product: Product | None = None) -> dict[str, Any]:
    """Business units and consignors (members' UMKM; a product keeps the consignor it already has)."""
    consignors = [
        (s.pk, s.name)
        for s in selectors.supplier_list(cooperative=coop)
        if s.kind == SupplierKind.UMKM or (product is not None and s.pk == product.consignor_id)
    ]
    return {"units": unit_choices(coop)[1:], "consignors": consignors}


# --- products -----------------------------------------------------------------------------
@login_required
@require_GET
def products(request: HttpRequest, code: str) -> HttpResponse:
    """The catalogue: search by name, SKU or barcode, a category filter; price, HET ceiling and stock of each."""
    coop, roles = shop_coop(request, code, Action.SHOP_VIEW)
    form = ProductFilterForm(request.GET, categories=selectors.product_categories(cooperative=coop))
    form.is_valid()  # a filter that cannot be read is ignored; the others still apply
    search, category = form.cleaned_data.get("q", ""), form.cleaned_data.get("category", "")
    page = page_of(request, selectors.catalogue_list(cooperative=coop, search=search, category=category))
    today = timezone.localdate()
    rows = selectors.het_rows(cooperative=coop)
    items = [
        (p, selectors.product_het_limit(cooperative=coop, product=p, date=today, rows=rows)) for p in page.object_list
    ]
    query = urlencode({k: v for k, v in (("q", search), ("category", category)) if v})
    return shop_page(
        request,
        "products.html",
        coop,
        roles,
        "products",
        form=form,
        page=page,
        items=items,
        filtered=bool(search or category),
        base_query=query,
    )


@login_required
@GET_POST
def product_new(request: HttpRequest, code: str) -> HttpResponse:
    """Add a product with its first selling price (refused above the HET in force)."""
    coop, roles = shop_coop(request, code, Action.SHOP_CATALOGUE)
    choices = _form_choices(coop)
    status = 200
    if request.method == "POST":
        form = ProductNewForm(request.POST, **choices)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                product = services.product_create(
                    cooperative=coop,
                    data=form.product_input(),
                    price=data["price"],
                    effective_from=data["effective_from"],
                    actor=request.user,
                )
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Barang %(name)s ditambahkan dengan harga %(price)s.")
                    % {"name": product.name, "price": format_rupiah(product.price)},
                )
                return redirect(_detail_url(coop, product))
    else:
        form = ProductNewForm(
            initial={
                "unit": "pcs",
                "business_unit": "gerai_sembako",
                "effective_from": timezone.localdate(),
                "pack_size": 1,
                "het_quantity": "1",
                "commission_percent": "0",
                "min_stock": 0,
            },
            **choices,
        )
    return shop_page(request, "product_form.html", coop, roles, "products", status, form=form, product=None)


@login_required
@require_GET
def product_detail(request: HttpRequest, code: str, product_id: int) -> HttpResponse:
    """A product: price in force and its history, the HET ceiling today, stock per location."""
    coop, roles = shop_coop(request, code, Action.SHOP_VIEW)
    product = _product(coop, product_id)
    today = timezone.localdate()
    levels = {level.location_id: level.qty for level in selectors.stock_levels(cooperative=coop, product=product)}
    het = (
        selectors.het_in_force(cooperative=coop, commodity=product.het_commodity, date=today)
        if product.het_commodity
        else None
    )
    return shop_page(
        request,
        "product_detail.html",
        coop,
        roles,
        "products",
        product=product,
        today=today,
        prices=selectors.price_history(cooperative=coop, product=product),
        stock=[(place, levels.get(place.pk, 0)) for place in locations(coop)],
        het=het,
        het_limit=selectors.product_het_limit(cooperative=coop, product=product, date=today),
    )


@login_required
@GET_POST
def product_edit(request: HttpRequest, code: str, product_id: int) -> HttpResponse:
    """Change a product's fields (the price has its own page, with its history)."""
    coop, roles = shop_coop(request, code, Action.SHOP_CATALOGUE)
    product = _product(coop, product_id)
    choices = _form_choices(coop, product)
    status = 200
    if request.method == "POST":
        form = ProductEditForm(request.POST, **choices)
        status = 422
        if form.is_valid():
            try:
                product = services.product_update(
                    cooperative=coop,
                    product=product,
                    data=form.product_input(),
                    is_active=form.cleaned_data["is_active"],
                    actor=request.user,
                )
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, _("Barang %(name)s disimpan.") % {"name": product.name})
                return redirect(_detail_url(coop, product))
    else:
        form = ProductEditForm(initial=ProductForm.initial_from(product), **choices)
    return shop_page(request, "product_form.html", coop, roles, "products", status, form=form, product=product)


@login_required
@GET_POST
def product_price(request: HttpRequest, code: str, product_id: int) -> HttpResponse:
    """Set a new selling price from a date, with the reason; a price above the HET is refused on the form."""
    coop, roles = shop_coop(request, code, Action.SHOP_CATALOGUE)
    product = _product(coop, product_id)
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = PriceForm(request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                row = services.product_price_set(
                    cooperative=coop,
                    product=product,
                    price=data["price"],
                    effective_from=data["effective_from"],
                    reason=data["reason"],
                    actor=request.user,
                )
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Harga %(name)s %(price)s berlaku mulai %(date)s.")
                    % {
                        "name": product.name,
                        "price": format_rupiah(row.price),
                        "date": row.effective_from.strftime("%d/%m/%Y"),
                    },
                )
                return redirect(_detail_url(coop, product))
    else:
        form = PriceForm(initial={"price": product.price, "effective_from": today})
    return shop_page(
        request,
        "product_price.html",
        coop,
        roles,
        "products",
        status,
        form=form,
        product=product,
        het_limit=selectors.product_het_limit(cooperative=coop, product=product, date=today),
        prices=selectors.price_history(cooperative=coop, product=product)[:5],
    )


# --- HET ----------------------------------------------------------------------------------
def _het_coop(request: HttpRequest, code: str) -> tuple[Cooperative, frozenset[Role]]:
    """The HET table is read by the gerai (SHOP_VIEW) and by whoever keeps it (HET_MANAGE: Dinas, admin)."""
    coop, roles = shop_coop(request, code, Action.COOP_VIEW)
    if not (can(roles, Action.SHOP_VIEW) or can(roles, Action.HET_MANAGE)):
        raise PermissionDenied()
    return coop, roles


def _kota_code(coop: Cooperative) -> str:
    return ".".join(coop.kelurahan_id.split(".")[:2])


def _het_region_allowed(user: Any, region_code: str) -> bool:
    """The administrator enters any HET; a Dinas only for its own region (its kota or a part of it)."""
    if is_admin(user):
        return True
    return bool(region_code) and any(region_contains(own, region_code) for own in dinas_region_codes(user))


@login_required
@require_GET
def het(request: HttpRequest, code: str) -> HttpResponse:
    """The HET rows that apply to this cooperative's region; per commodity, the one in force today is marked."""
    coop, roles = _het_coop(request, code)
    today = timezone.localdate()
    return shop_page(
        request,
        "het.html",
        coop,
        roles,
        "het",
        today=today,
        entries=selectors.het_table(cooperative=coop, date=today),
        region=coop.kelurahan,
    )


@login_required
@GET_POST
def het_new(request: HttpRequest, code: str) -> HttpResponse:
    """Add a HET row to the national table (Dinas for its own kota, the administrator anywhere)."""
    coop, roles = shop_coop(request, code, Action.HET_MANAGE)
    status = 200
    if request.method == "POST":
        form = HetForm(request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            if not _het_region_allowed(request.user, data["region_code"]):
                form.add_error(
                    "region_code",
                    _("Dinas hanya dapat mengisi HET untuk wilayahnya sendiri (%(codes)s).")
                    % {"codes": ", ".join(dinas_region_codes(request.user)) or "—"},
                )
                status = 403
            else:
                try:
                    row = services.het_create(
                        commodity=data["commodity"],
                        region_code=data["region_code"],
                        price=data["price"],
                        effective_from=data["effective_from"],
                        effective_to=data["effective_to"],
                        zone=data["zone"],
                        legal_basis=data["legal_basis"],
                        actor=request.user,
                    )
                except REFUSED as exc:
                    status = add_domain_error(form, exc)
                else:
                    messages.success(
                        request,
                        _("HET %(commodity)s %(price)s mulai %(date)s dicatat.")
                        % {
                            "commodity": row.get_commodity_display(),
                            "price": format_rupiah(row.price),
                            "date": row.effective_from.strftime("%d/%m/%Y"),
                        },
                    )
                    return redirect("shop:het", coop.code)
    else:
        form = HetForm(initial={"region_code": _kota_code(coop), "effective_from": timezone.localdate()})
    return shop_page(request, "het_form.html", coop, roles, "het", status, form=form)
