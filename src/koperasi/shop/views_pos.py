"""The cashier's pages (POS) of the gerai, under ``/k/<coop-code>/gerai/``.

- ``shop:pos`` (``kasir/``): the till. Without an open cashier session, the form to open
  one; with it, a scan/search box (a barcode scanner types the code and Enter), the cart,
  the buyer (member number, member-card QR text, NIK, or a non-member) and the payment.
  The cart lives in the Django session, per cooperative, so the page works with plain
  form posts (each post redirects back to the till) and with HTMX (each post answers with
  the ``#till`` partial). The payment form carries an idempotency key made when the page
  was drawn, so a double click or a re-sent form records one sale.
- ``shop:session_open``, ``shop:session_close`` (cash count, variance preview, posting),
  ``shop:sessions`` (officers see every session, a cashier their own).
- ``shop:sales``, ``shop:sale_detail``, ``shop:receipt`` (58 mm printable page),
  ``shop:receipt_pdf``; ``shop:return_request``, ``shop:returns``, ``shop:return_decide``.

Permissions: ``SHOP_SELL`` for the till, sessions and return requests; ``SHOP_VIEW`` for
lists, detail and receipts; ``SHOP_RETURN_APPROVE`` to decide a return (the service also
refuses the requester). Another cooperative's user gets 404, a role without the action 403
(``cooperative_get_for_user``; ``NotFound``/``PermissionDenied`` go to the middleware).
A service's refusal is shown on the page with what was typed kept, and nothing is written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.access import require
from koperasi.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.ledger.exports import kelurahan_line
from koperasi.ledger.pdf import PDF_CONTENT_TYPE
from koperasi.members import selectors as member_selectors
from koperasi.members.choices import MemberStatus
from koperasi.members.identity import nik_mask
from koperasi.members.models import Member
from koperasi.shop import selectors, services
from koperasi.shop.choices import LocationKind, PaymentMethod, ReturnKind, ReturnStatus, SaleStatus, SessionStatus
from koperasi.shop.forms_pos import (
    AddForm,
    BuyerForm,
    CartForm,
    GuestForm,
    PayForm,
    ReturnDecideForm,
    ReturnRequestForm,
    SaleFilterForm,
    ScanForm,
    SessionCloseForm,
    SessionOpenForm,
    new_key,
)
from koperasi.shop.models import CashierSession, Product, Sale
from koperasi.shop.navigation import shop_nav_perms
from koperasi.shop.receipts import receipt_build, receipt_pdf
from koperasi.shop.services._common import MAX_LINES, MAX_QTY
from koperasi.subsidies import calculations as subsidy_calculations
from koperasi.subsidies import selectors as subsidy_selectors
from koperasi.subsidies.choices import RecipientCategory
from koperasi.subsidies.models import SubsidyProgram

GET_POST = require_http_methods(["GET", "POST"])
SEARCH_LIMIT = 20  # products listed by a search at the till
PAGE_SIZE = 50  # rows per page of the sales and sessions lists
RECENT_DECISIONS = 30  # decided returns shown under the pending ones
RECENT_SESSIONS = 5  # the cashier's last sessions, on the open-a-session page
CART_KEY = "shop.pos.cart.{}"  # Django session key, per cooperative id
REFUSED = (ValidationError, Conflict, PermissionDenied, NotFound)
REPEATED = gettext_lazy("Penjualan %(no)s sudah tercatat; kiriman ganda diabaikan.")


# --- helpers ----------------------------------------------------------------------------------------
def _coop(request: HttpRequest, code: str, action: Action) -> tuple[Cooperative, frozenset[Role]]:
    return cooperative_get_for_user(user=request.user, code=code, action=action)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _pos_perms(roles: frozenset[Role]) -> dict[str, bool]:
    """The flags the till's pages read (links and forms shown)."""
    return {
        "view": can(roles, Action.SHOP_VIEW),
        "sell": can(roles, Action.SHOP_SELL),
        "approve": can(roles, Action.SHOP_RETURN_APPROVE),
        "all_sessions": can(roles, Action.SHOP_RETURN_APPROVE) or can(roles, Action.SHOP_REPORTS),
        "ledger": can(roles, Action.LEDGER_VIEW),
        "members": can(roles, Action.MEMBERS_VIEW),
        "subsidy_register": can(roles, Action.SUBSIDY_REGISTER),
    }


def _page(
    request: HttpRequest,
    template: str,
    coop: Cooperative,
    roles: frozenset[Role],
    active: str,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """Render a page (or, for HTMX, its ``#partial``); an HTMX refusal answers 200 so htmx swaps it in."""
    htmx = _is_htmx(request)
    context = {
        "coop": coop,
        "shop_perms": shop_nav_perms(roles),
        "pos_perms": _pos_perms(roles),
        "active": active,
        "is_htmx": htmx,
        **context,
    }
    response = render(request, f"shop/{template}", context, status=200 if htmx else status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _pos_url(coop: Cooperative) -> str:
    return reverse("shop:pos", args=[coop.code])


def _is_repeat(created_at: datetime.datetime, started: datetime.datetime) -> bool:
    """A write returned by its idempotency key was made before this request began."""
    return created_at < started


# --- the cart (Django session, per cooperative) -------------------------------------------------------
@dataclass
class Cart:
    """The till's state between requests: lines in the order scanned, the buyer, the last sale made."""

    lines: list[tuple[int, int]] = field(default_factory=list)  # (product id, qty)
    member_id: int | None = None
    guest_name: str = ""
    guest_nik: str = ""
    last_sale: int | None = None

    def qty_of(self, product_id: int) -> int:
        return next((q for pid, q in self.lines if pid == product_id), 0)

    def add(self, product_id: int, qty: int) -> str:
        """Add units (to the line of that product, if any); return an error message or ""."""
        have = self.qty_of(product_id)
        if have + qty > MAX_QTY:
            return _("Jumlah barang terlalu besar; periksa kembali.")
        if have:
            self.lines = [(pid, q + qty if pid == product_id else q) for pid, q in self.lines]
        elif len(self.lines) >= MAX_LINES:
            return _("Keranjang penuh (paling banyak %(n)s baris); selesaikan penjualan ini dahulu.") % {"n": MAX_LINES}
        else:
            self.lines.append((product_id, qty))
        return ""

    def set_qty(self, product_id: int, qty: int) -> None:
        if qty <= 0:
            self.lines = [(pid, q) for pid, q in self.lines if pid != product_id]
        else:
            self.lines = [(pid, qty if pid == product_id else q) for pid, q in self.lines]

    def clear_buyer(self) -> None:
        self.member_id, self.guest_name, self.guest_nik = None, "", ""

    def clear(self) -> None:
        self.lines = []
        self.clear_buyer()


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**62 else None


def _cart_load(request: HttpRequest, coop: Cooperative) -> Cart:
    raw = request.session.get(CART_KEY.format(coop.pk))
    if not isinstance(raw, dict):
        return Cart()
    lines = []
    for item in raw.get("lines") or []:
        if isinstance(item, list | tuple) and len(item) == 2:
            pid, qty = _int_or_none(item[0]), _int_or_none(item[1])
            if pid is not None and qty is not None and qty <= MAX_QTY:
                lines.append((pid, qty))
    return Cart(
        lines=lines[:MAX_LINES],
        member_id=_int_or_none(raw.get("member_id")),
        guest_name=str(raw.get("guest_name") or "")[:150],
        guest_nik=str(raw.get("guest_nik") or "")[:16],
        last_sale=_int_or_none(raw.get("last_sale")),
    )


def _cart_save(request: HttpRequest, coop: Cooperative, cart: Cart) -> None:
    request.session[CART_KEY.format(coop.pk)] = {
        "lines": [list(line) for line in cart.lines],
        "member_id": cart.member_id,
        "guest_name": cart.guest_name,
        "guest_nik": cart.guest_nik,
        "last_sale": cart.last_sale,
    }


# --- the till ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CartLine:
    product: Product
    qty: int
    price: int  # in force today: the subsidy programme's price for its product
    stock: int  # units at the session's location
    program: SubsidyProgram | None = None  # the subsidy programme in force today, if any

    @property
    def total(self) -> int:
        return self.price * self.qty

    @property
    def short(self) -> bool:
        return self.qty > self.stock

    @property
    def left(self) -> int:
        return self.stock - self.qty


@dataclass(frozen=True)
class ProductRow:
    """A product found by a search, with today's price and the units at the till's location."""

    product: Product
    price: int
    stock: int
    in_cart: int


def _product_rows(
    coop: Cooperative, session: CashierSession, products: list[Product], cart: Cart | None = None
) -> list[ProductRow]:
    ids = [p.pk for p in products]
    prices = selectors.prices_on(cooperative=coop, product_ids=ids, date=timezone.localdate())
    stock = selectors.stock_at(cooperative=coop, location=session.location, product_ids=ids)
    return [
        ProductRow(p, prices.get(p.pk, p.price), stock.get(p.pk, 0), cart.qty_of(p.pk) if cart else 0) for p in products
    ]


def _search(coop: Cooperative, text: str) -> list[Product]:
    return list(selectors.product_list(cooperative=coop, search=text, active_only=True)[:SEARCH_LIMIT])


def _till(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    session: CashierSession,
    cart: Cart,
    *,
    status: int = 200,
    scan_form: ScanForm | None = None,
    matches: list[ProductRow] | None = None,
    cart_form: CartForm | None = None,
    buyer_form: BuyerForm | None = None,
    guest_form: GuestForm | None = None,
    pay_form: PayForm | None = None,
    notice: str = "",
) -> HttpResponse:
    """The till page (or its ``#till`` partial for HTMX): cart with today's prices and stock, buyer, payment.

    Subsidised goods: the programmes of every cart product in one query (and one for their
    rules), then the buyer's usage once per subsidised product.
    """
    today = timezone.localdate()
    ids = [pid for pid, _ in cart.lines]
    products = selectors.products_by_id(cooperative=coop, product_ids=ids)
    prices = selectors.prices_on(cooperative=coop, product_ids=ids, date=today) if ids else {}
    stock = selectors.stock_at(cooperative=coop, location=session.location, product_ids=ids)
    programs = subsidy_selectors.programs_for_products(cooperative=coop, product_ids=ids) if ids else {}
    today_programs = {pid: subsidy_selectors.program_in_force(found, today) for pid, found in programs.items()}
    lines = []
    for pid, qty in cart.lines:
        if pid not in products:
            continue
        program = today_programs[pid][0] if pid in today_programs else None
        price = program.price if program is not None else prices.get(pid, products[pid].price)
        lines.append(CartLine(products[pid], qty, price, stock.get(pid, 0), program))
    member: Member | None = None
    if cart.member_id is not None:
        try:
            member = member_selectors.member_get(cooperative=coop, member_id=cart.member_id)
        except NotFound:
            member = None
    buyer_nik = member.nik if member is not None else cart.guest_nik
    subsidy_lines = [
        _subsidy_line(coop, line, prices.get(line.product.pk, line.product.price), today_programs, buyer_nik, today)
        for line in lines
        if line.product.pk in today_programs
    ]
    last_sale: Sale | None = None
    if cart.last_sale is not None and not lines:
        try:
            last_sale = selectors.sale_get(cooperative=coop, sale_id=cart.last_sale)
        except NotFound:
            last_sale = None
    context: dict[str, Any] = {
        "session": session,
        "today": today,
        "lines": lines,
        "total": sum(line.total for line in lines),
        "item_count": sum(line.qty for line in lines),
        "any_short": any(line.short for line in lines),
        "subsidy_lines": subsidy_lines,
        "subsidy_nik": buyer_nik,
        "subsidy_nik_masked": nik_mask(buyer_nik) if buyer_nik else "",
        "subsidy_recipient": next((s.usage.recipient for s in subsidy_lines if s.usage and s.usage.recipient), None),
        "subsidy_unregistered": any(
            s.usage is not None and s.usage.refusal_code == "recipient_not_registered" for s in subsidy_lines
        ),
        "cart": cart,
        "member": member,
        "member_is_active": member is not None and member.status == MemberStatus.AKTIF,
        "last_sale": last_sale,
        "matches": matches,
        "scan_form": scan_form or ScanForm(),
        "cart_form": cart_form,
        "buyer_form": buyer_form or BuyerForm(),
        "guest_form": guest_form or GuestForm(initial={"name": cart.guest_name, "nik": cart.guest_nik}),
        "pay_form": pay_form or PayForm(initial={"payment_method": PaymentMethod.TUNAI, "idempotency_key": new_key()}),
        "notice": notice,
        "quick_cash": _quick_cash(sum(line.total for line in lines)),
    }
    template = "pos.html#till" if _is_htmx(request) else "pos.html"
    return _page(request, template, coop, roles, "pos", status, **context)


@dataclass(frozen=True)
class SubsidyLine:
    """A cart product of a subsidy programme: the programme today (or why it cannot be sold) and the buyer's quota."""

    line: CartLine
    shelf_price: int  # the gerai's price today, which the programme's price replaces
    program: SubsidyProgram | None  # None: no programme in force today, the till refuses
    problem: str  # why, when ``program`` is None
    rules: list[str]  # "10 tabung per KK per bulan"
    categories: list[str]  # who may buy: "rumah tangga, usaha mikro"
    usage: subsidy_selectors.ProgramUsage | None  # None until the buyer's NIK is known

    @property
    def unit(self) -> str:
        return self.line.product.unit

    @property
    def used_text(self) -> str:
        """``KK bulan ini 8 dari 10; NIK hari ini 0 dari 1 kali``."""
        return subsidy_calculations.usage_summary(self.usage.rules) if self.usage is not None else ""

    @property
    def over(self) -> bool:
        """The cart holds more than the buyer may still take (the sale would be refused)."""
        if self.usage is None or self.usage.refusal:
            return False
        left = self.usage.remaining
        return left is not None and self.line.qty > left


def _subsidy_line(
    coop: Cooperative,
    line: CartLine,
    shelf_price: int,
    today_programs: dict[int, tuple[SubsidyProgram | None, str]],
    nik: str,
    today: datetime.date,
) -> SubsidyLine:
    program, problem = today_programs[line.product.pk]
    usage = None
    if program is not None and nik:
        usage = subsidy_selectors.program_usage(cooperative=coop, program=program, nik=nik, day=today)
    rules = [rule.describe(line.product.unit) for rule in subsidy_selectors.program_rules(program)] if program else []
    categories = [str(RecipientCategory(c).label).lower() for c in program.categories] if program else []
    return SubsidyLine(line, shelf_price, program, problem, rules, categories, usage)


def _quick_cash(total: int) -> list[int]:
    """Amounts a buyer often hands over for ``total`` (rounded up to 5.000, 10.000, 50.000, 100.000)."""
    amounts: list[int] = []
    for step in (5_000, 10_000, 50_000, 100_000):
        amount = -(-total // step) * step
        if amount > total and amount not in amounts:
            amounts.append(amount)
    return amounts[:3]


def _open_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    form: SessionOpenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    locations = selectors.location_list(cooperative=coop)
    if form is None:
        gerai = next((loc for loc in locations if loc.kind == LocationKind.GERAI), None)
        form = SessionOpenForm(locations=locations, initial={"location": gerai.pk if gerai else None})
    recent = list(selectors.session_list(cooperative=coop, cashier=request.user)[:RECENT_SESSIONS])
    return _page(request, "pos.html", coop, roles, "pos", status, session=None, open_form=form, recent=recent)


def _after_change(
    request: HttpRequest, coop: Cooperative, roles: frozenset[Role], session: CashierSession, cart: Cart
) -> HttpResponse:
    """After a change to the cart: the ``#till`` partial for HTMX, else back to the till (post/redirect/get)."""
    _cart_save(request, coop, cart)
    if _is_htmx(request):
        return _till(request, coop, roles, session, cart)
    return redirect(_pos_url(coop))


def _till_or_open(request: HttpRequest, code: str) -> tuple[Cooperative, frozenset[Role], CashierSession | None]:
    coop, roles = _coop(request, code, Action.SHOP_SELL)
    return coop, roles, selectors.open_session_for(cooperative=coop, user=request.user)


def _no_session(request: HttpRequest, coop: Cooperative) -> HttpResponse:
    """A till post without an open session (closed meanwhile): back to the till, which offers to open one."""
    messages.error(request, _("Sesi kasir Anda sudah ditutup; buka sesi baru."))
    if _is_htmx(request):
        return HttpResponse(headers={"HX-Redirect": _pos_url(coop)})
    return redirect(_pos_url(coop))


@login_required
@require_GET
def pos(request: HttpRequest, code: str) -> HttpResponse:
    """The till: open a session, or sell in the open one."""
    coop, roles, session = _till_or_open(request, code)
    if session is None:
        return _open_page(request, coop, roles)
    return _till(request, coop, roles, session, _cart_load(request, coop))


@login_required
@GET_POST
def session_open(request: HttpRequest, code: str) -> HttpResponse:
    """Open the user's cashier session with the counted float (a GET shows the till's form)."""
    coop, roles = _coop(request, code, Action.SHOP_SELL)
    if request.method == "GET":
        return redirect(_pos_url(coop))
    form = SessionOpenForm(request.POST, locations=selectors.location_list(cooperative=coop))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            session = services.cashier_session_open(
                cooperative=coop, opening_float=data["opening_float"], location=data["location"], actor=request.user
            )
        except REFUSED as exc:
            if isinstance(exc, Conflict) and exc.code == "session_open":
                messages.info(request, exc.message)  # a second click: the till is already open
                return redirect(_pos_url(coop))
            status = form_add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Sesi kasir %(no)s dibuka di %(place)s dengan modal awal %(amount)s.")
                % {
                    "no": session.session_no,
                    "place": session.location.name,
                    "amount": format_rupiah(session.opening_float),
                },
            )
            return redirect(_pos_url(coop))
    return _open_page(request, coop, roles, form, status)


@login_required
@require_GET
def pos_search(request: HttpRequest, code: str) -> HttpResponse:
    """Products matching what is typed so far (HTMX partial ``shop/_pos_results.html``); nothing is written."""
    coop, _roles, session = _till_or_open(request, code)
    form = ScanForm(request.GET)
    rows: list[ProductRow] = []
    text = ""
    if session is not None and form.is_valid():
        _qty, text = form.cleaned_data["q"]
        if len(text) >= 2:
            rows = _product_rows(coop, session, _search(coop, text), _cart_load(request, coop))
    return render(request, "shop/_pos_results.html", {"coop": coop, "matches": rows, "query": text, "live": True})


@login_required
@require_POST
def pos_add(request: HttpRequest, code: str) -> HttpResponse:
    """Add to the cart: a product picked from the results, or what was scanned/typed.

    A scan is an exact barcode or SKU; otherwise the text searches names and one match is
    added, several are listed to pick from. ``3*code`` adds three units.
    """
    coop, roles, session = _till_or_open(request, code)
    if session is None:
        return _no_session(request, coop)
    cart = _cart_load(request, coop)
    product: Product | None = None
    if "product" in request.POST:
        add_form = AddForm(request.POST)
        if not add_form.is_valid():
            return _till(request, coop, roles, session, cart, status=422, notice=_("Pilih barang dari daftar."))
        product = selectors.product_get(cooperative=coop, product_id=add_form.cleaned_data["product"])
        qty = add_form.cleaned_data["qty"]
        scan_form = ScanForm()
    else:
        scan_form = ScanForm(request.POST)
        if not scan_form.is_valid():
            return _till(request, coop, roles, session, cart, status=422, scan_form=scan_form)
        qty, text = scan_form.cleaned_data["q"]
        product = selectors.product_find(cooperative=coop, code=text)
        if product is None or not product.is_active:
            found = _search(coop, text)
            if len(found) > 1:
                rows = _product_rows(coop, session, found, cart)
                return _till(request, coop, roles, session, cart, scan_form=scan_form, matches=rows)
            if found:
                product = found[0]
            elif product is None:
                scan_form.add_error("q", _("Barang “%(text)s” tidak ditemukan di katalog.") % {"text": text})
                return _till(request, coop, roles, session, cart, status=422, scan_form=scan_form)
    problem = _("%(name)s tidak dijual lagi.") % {"name": product.name} if not product.is_active else ""
    status = 409
    if not problem:
        problem, status = cart.add(product.pk, qty), 422
    if problem:
        if not scan_form.is_bound:  # a product picked from the list: the message above the cart
            return _till(request, coop, roles, session, cart, status=status, notice=problem)
        scan_form.add_error(None, problem)
        return _till(request, coop, roles, session, cart, status=status, scan_form=scan_form)
    cart.last_sale = None
    return _after_change(request, coop, roles, session, cart)


def _posted_id(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 19 else None


@login_required
@require_POST
def pos_update(request: HttpRequest, code: str) -> HttpResponse:
    """Change the cart: quantities (0 takes a line out), + and −, remove a line, or empty it."""
    coop, roles, session = _till_or_open(request, code)
    if session is None:
        return _no_session(request, coop)
    cart = _cart_load(request, coop)
    if "clear" in request.POST:
        cart.clear()
        return _after_change(request, coop, roles, session, cart)
    form = CartForm(request.POST, product_ids=[pid for pid, _ in cart.lines])
    if not form.is_valid():
        return _till(request, coop, roles, session, cart, status=422, cart_form=form)
    for product_id, qty in form.quantities().items():
        if qty is not None:
            cart.set_qty(product_id, qty)
    if (removed := _posted_id(request, "remove")) is not None:
        cart.set_qty(removed, 0)
    if (more := _posted_id(request, "inc")) is not None and cart.qty_of(more):
        cart.set_qty(more, min(cart.qty_of(more) + 1, MAX_QTY))
    if (fewer := _posted_id(request, "dec")) is not None:
        cart.set_qty(fewer, cart.qty_of(fewer) - 1)
    return _after_change(request, coop, roles, session, cart)


@login_required
@require_POST
def pos_buyer(request: HttpRequest, code: str) -> HttpResponse:
    """Name the buyer: a member (number, card QR text or NIK), a non-member (optional name/NIK), or nobody."""
    coop, roles, session = _till_or_open(request, code)
    if session is None:
        return _no_session(request, coop)
    cart = _cart_load(request, coop)
    action = request.POST.get("action", "find")
    if action == "reset":
        cart.clear_buyer()
        return _after_change(request, coop, roles, session, cart)
    if action == "guest":
        guest_form = GuestForm(request.POST)
        if not guest_form.is_valid():
            return _till(request, coop, roles, session, cart, status=422, guest_form=guest_form)
        cart.clear_buyer()
        cart.guest_name, cart.guest_nik = guest_form.cleaned_data["name"], guest_form.cleaned_data["nik"]
        return _after_change(request, coop, roles, session, cart)
    form = BuyerForm(request.POST)
    if not form.is_valid():
        return _till(request, coop, roles, session, cart, status=422, buyer_form=form)
    lookup = form.cleaned_data["buyer"]
    member: Member | None = None
    try:
        if lookup.coop_code and lookup.coop_code != coop.code:
            raise NotFound(_("Kartu ini milik anggota koperasi lain (%(code)s).") % {"code": lookup.coop_code})
        if lookup.kind == "number":
            member = member_selectors.member_by_number(cooperative=coop, member_no=lookup.value)
        else:
            member = services.buyer_member(cooperative=coop, member=None, buyer_nik=lookup.value)
    except (NotFound, ValidationError) as exc:
        form.add_error("buyer", exc.message)
        return _till(request, coop, roles, session, cart, status=422, buyer_form=form)
    cart.clear_buyer()
    if member is None:  # a NIK that is no member's: a non-member buyer with that NIK
        cart.guest_nik = lookup.value
        messages.info(request, _("NIK ini bukan anggota; dicatat sebagai pembeli umum."))
    else:
        cart.member_id = member.pk
    return _after_change(request, coop, roles, session, cart)


@login_required
@require_POST
def pos_pay(request: HttpRequest, code: str) -> HttpResponse:
    """Record the sale (``services.sale_create``) with the form's idempotency key; clear the cart; show the change."""
    coop, roles, session = _till_or_open(request, code)
    if session is None:
        return _no_session(request, coop)
    cart = _cart_load(request, coop)
    form = PayForm(request.POST)
    if not form.is_valid():
        return _till(request, coop, roles, session, cart, status=422, pay_form=form)
    data = form.cleaned_data
    key = data["idempotency_key"] or ""
    if not cart.lines:
        first = selectors.sale_for_key(cooperative=coop, key=key)
        if first is not None:  # the cart was emptied by the first of two submissions
            cart.last_sale = first.pk
            messages.info(request, REPEATED % {"no": first.sale_no})
            return _after_change(request, coop, roles, session, cart)
        form.add_error(None, _("Keranjang masih kosong; pindai barang dahulu."))
        return _till(request, coop, roles, session, cart, status=422, pay_form=form)
    method = data["payment_method"]
    started = timezone.now()
    try:
        sale = services.sale_create(
            cooperative=coop,
            date=timezone.localdate(),
            lines=[services.SaleLineInput(pid, qty) for pid, qty in cart.lines],
            payment_method=method,
            payment_reference=data["payment_reference"],
            cash_received=data["cash_received"] if method == PaymentMethod.TUNAI else None,
            member=cart.member_id,
            buyer_nik=cart.guest_nik if cart.member_id is None else "",
            buyer_name=cart.guest_name if cart.member_id is None else "",
            partner_reference=data["partner_reference"],
            session=session,
            actor=request.user,
            idempotency_key=key or None,
        )
    except REFUSED as exc:
        status = form_add_domain_error(form, exc)
        return _till(request, coop, roles, session, cart, status=status, pay_form=form)
    cart.clear()
    cart.last_sale = sale.pk
    if _is_repeat(sale.created_at, started):
        messages.info(request, REPEATED % {"no": sale.sale_no})
    else:
        messages.success(
            request,
            _("Penjualan %(no)s dicatat: total %(total)s, kembalian %(change)s.")
            % {"no": sale.sale_no, "total": format_rupiah(sale.total), "change": format_rupiah(sale.change)},
        )
    return _after_change(request, coop, roles, session, cart)


# --- sessions ---------------------------------------------------------------------------------------------
@login_required
@GET_POST
def session_close(request: HttpRequest, code: str, session_id: int) -> HttpResponse:
    """Close a till: expected cash, the counted cash, the variance (previewed, then posted); a closed one's result."""
    coop, roles = _coop(request, code, Action.SHOP_VIEW)
    session = selectors.session_get(cooperative=coop, session_id=session_id)
    is_open = session.status == SessionStatus.OPEN
    own = session.cashier_id == request.user.pk
    if is_open or request.method == "POST":  # closing: the cashier, or an approver of returns (as the service)
        require(roles, Action.SHOP_SELL)
        if not own and not can(roles, Action.SHOP_RETURN_APPROVE):
            raise PermissionDenied(_("Hanya kasirnya sendiri atau bendahara yang dapat menutup sesi ini."))
    elif not own and not _pos_perms(roles)["all_sessions"]:  # a closed session's result: as the sessions list
        raise PermissionDenied()
    form: SessionCloseForm | None = SessionCloseForm() if is_open else None
    preview: int | None = None
    status = 200
    if request.method == "POST" and is_open:
        form = SessionCloseForm(request.POST)
        status = 422
        if form.is_valid():
            counted = form.cleaned_data["counted_cash"]
            if "preview" in request.POST:
                status = 200
                if isinstance(counted, int):
                    preview = counted - services.session_expected_cash(session)
            else:
                try:
                    closed = services.cashier_session_close(
                        cooperative=coop,
                        session=session,
                        counted_cash=counted,
                        note=form.cleaned_data["note"],
                        actor=request.user,
                    )
                except REFUSED as exc:
                    status = form_add_domain_error(form, exc)
                else:
                    messages.success(request, _variance_text(closed))
                    if closed.cashier_id == request.user.pk:
                        _cart_save(request, coop, Cart())
                    return redirect(reverse("shop:session_close", args=[coop.code, closed.pk]))
    summary = selectors.sale_summary(sales=selectors.sale_list(cooperative=coop, session=session))
    expected = services.session_expected_cash(session) if is_open else (session.expected_cash or 0)
    cash_sales = summary.by_method.get(PaymentMethod.TUNAI, 0)
    context = {
        "session": session,
        "form": form,
        "expected": expected,
        "summary": summary,
        "cash_sales": cash_sales,
        "refunds": session.opening_float + cash_sales - expected,
        "methods": [(label, summary.by_method.get(value, 0)) for value, label in PaymentMethod.choices],
        "preview": preview,
        "is_open": is_open,
    }
    return _page(request, "session_close.html", coop, roles, "sessions", status, **context)


def _variance_text(session: CashierSession) -> str:
    variance = session.variance or 0
    figures = {
        "no": session.session_no,
        "expected": format_rupiah(session.expected_cash or 0),
        "counted": format_rupiah(session.counted_cash or 0),
        "variance": format_rupiah(abs(variance)),
    }
    if variance < 0:
        text = _("Sesi %(no)s ditutup. Seharusnya %(expected)s, dihitung %(counted)s: kurang %(variance)s (dibukukan).")
        return text % figures
    if variance > 0:
        text = _("Sesi %(no)s ditutup. Seharusnya %(expected)s, dihitung %(counted)s: lebih %(variance)s (dibukukan).")
        return text % figures
    return _("Sesi %(no)s ditutup. Kas cocok: %(counted)s.") % figures


@login_required
@require_GET
def sessions(request: HttpRequest, code: str) -> HttpResponse:
    """Cashier sessions, newest first: every one for officers, a cashier's own for a cashier."""
    coop, roles = _coop(request, code, Action.SHOP_VIEW)
    perms = _pos_perms(roles)
    scope = None if perms["all_sessions"] else request.user
    page = Paginator(selectors.session_list(cooperative=coop, cashier=scope), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return _page(request, "sessions.html", coop, roles, "sessions", page=page, own_only=scope is not None)


# --- sales ----------------------------------------------------------------------------------------------
@login_required
@require_GET
def sales(request: HttpRequest, code: str) -> HttpResponse:
    """Sales between two dates (today by default), with totals per payment method."""
    coop, roles = _coop(request, code, Action.SHOP_VIEW)
    today = timezone.localdate()
    form = SaleFilterForm(request.GET if request.GET else None, initial={"start": today, "end": today})
    start = end = today
    query = ""
    if form.is_bound:
        form.is_valid()  # a filter that cannot be read falls back to today; the others still apply
        start = form.cleaned_data.get("start") or today
        end = form.cleaned_data.get("end") or start
        query = form.cleaned_data.get("q") or ""
    if end < start:
        start, end = end, start
    found = selectors.sale_list(cooperative=coop, start=start, end=end, search=query)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    base_query = urlencode({"start": start.isoformat(), "end": end.isoformat(), **({"q": query} if query else {})})
    summary = selectors.sale_summary(sales=found)
    context: dict[str, Any] = {
        "form": form,
        "start": start,
        "end": end,
        "page": page,
        "summary": summary,
        "methods": [(value, label, summary.by_method.get(value, 0)) for value, label in PaymentMethod.choices],
        "base_query": base_query,
    }
    template = "sales.html#results" if _is_htmx(request) else "sales.html"
    return _page(request, template, coop, roles, "sales", **context)


def _returnable(sale: Sale, pending: bool) -> bool:
    return sale.status != SaleStatus.VOIDED and not pending and any(ln.qty_returned < ln.qty for ln in sale.lines.all())


@login_required
@require_GET
def sale_detail(request: HttpRequest, code: str, sale_id: int) -> HttpResponse:
    """A sale: lines, buyer, payment, journal entry, its returns; links to the receipt and a return request."""
    coop, roles = _coop(request, code, Action.SHOP_VIEW)
    sale = selectors.sale_get(cooperative=coop, sale_id=sale_id)
    returns = list(selectors.return_list(cooperative=coop, sale=sale))
    pending = any(r.status == ReturnStatus.PENDING for r in returns)
    context: dict[str, Any] = {
        "sale": sale,
        "r": receipt_build(sale),
        "returns": returns,
        "can_request_return": can(roles, Action.SHOP_SELL) and _returnable(sale, pending),
        "pending": pending,
    }
    return _page(request, "sale_detail.html", coop, roles, "sales", **context)


def _receipt_context(coop: Cooperative, sale: Sale) -> dict[str, Any]:
    return {
        "kelurahan_line": kelurahan_line(coop),
        "printed_at": timezone.localtime(),
        "sale": sale,
        "receipt": receipt_build(sale),
    }


@login_required
@require_GET
def receipt(request: HttpRequest, code: str, sale_id: int) -> HttpResponse:
    """The sale's receipt as a page that prints on a 58 mm thermal roll."""
    coop, roles = _coop(request, code, Action.SHOP_VIEW)
    sale = selectors.sale_get(cooperative=coop, sale_id=sale_id)
    return _page(request, "receipt.html", coop, roles, "sales", **_receipt_context(coop, sale))


@login_required
@require_GET
def receipt_pdf_view(request: HttpRequest, code: str, sale_id: int) -> HttpResponse:
    """The sale's receipt as a PDF 58 mm wide."""
    coop, _roles = _coop(request, code, Action.SHOP_VIEW)
    sale = selectors.sale_get(cooperative=coop, sale_id=sale_id)
    content = receipt_pdf({"coop": coop, **_receipt_context(coop, sale)})
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="struk-{coop.code}-{sale.sale_no}.pdf"'
    return response


# --- returns and voids -------------------------------------------------------------------------------------
def _return_error(form: ReturnRequestForm, error: DomainError) -> int:
    """Put a return's error on its line's quantity (``lines.<id>`` → ``qty_<id>``), else on the form."""
    if isinstance(error, ValidationError) and error.detail:
        placed = False
        for key, problems in error.detail.items():
            parts = str(key).split(".")
            name = f"qty_{parts[1]}" if len(parts) >= 2 and parts[0] == "lines" else str(key)
            if name in form.fields and isinstance(problems, list):
                for problem in problems:
                    form.add_error(name, str(problem))
                placed = True
        if placed:
            return error.status
    return form_add_domain_error(form, error)


@login_required
@GET_POST
def return_request(request: HttpRequest, code: str, sale_id: int) -> HttpResponse:
    """Ask to void a sale or return some of its units, with the reason; an approver decides later."""
    coop, roles = _coop(request, code, Action.SHOP_SELL)
    sale = selectors.sale_get(cooperative=coop, sale_id=sale_id)
    lines = list(sale.lines.all())
    status = 200
    if request.method == "POST":
        form = ReturnRequestForm(request.POST, lines=lines)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = services.sale_return_request(
                    cooperative=coop,
                    sale=sale,
                    kind=data["kind"],
                    reason=data["reason"],
                    date=timezone.localdate(),
                    quantities=form.quantities() if data["kind"] == ReturnKind.RETURN else None,
                    actor=request.user,
                )
            except REFUSED as exc:
                status = _return_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Permintaan %(kind)s %(amount)s untuk nota %(no)s dicatat; menunggu persetujuan.")
                    % {
                        "kind": made.get_kind_display().lower(),
                        "amount": format_rupiah(made.amount),
                        "no": sale.sale_no,
                    },
                )
                return redirect(reverse("shop:sale_detail", args=[coop.code, sale.pk]))
    else:
        form = ReturnRequestForm(lines=lines)
    rows = [(line, form[f"qty_{line.pk}"]) for line in lines]
    context = {"sale": sale, "form": form, "rows": rows}
    return _page(request, "return_request.html", coop, roles, "returns", status, **context)


def _returns_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    *,
    bound: dict[int, ReturnDecideForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    pending = list(selectors.return_list(cooperative=coop, status=ReturnStatus.PENDING))
    may_decide = can(roles, Action.SHOP_RETURN_APPROVE)
    rows = [
        {
            "ret": ret,
            "own": ret.requested_by_id == request.user.pk,
            "form": (bound or {}).get(ret.pk) or (ReturnDecideForm() if may_decide else None),
        }
        for ret in pending
    ]
    decided = list(selectors.return_list(cooperative=coop, decided=True)[:RECENT_DECISIONS])
    context = {"rows": rows, "decided": decided, "may_decide": may_decide}
    return _page(request, "returns.html", coop, roles, "returns", status, **context)


@login_required
@require_GET
def returns(request: HttpRequest, code: str) -> HttpResponse:
    """Return and void requests waiting for a decision, and the latest decisions."""
    coop, roles = _coop(request, code, Action.SHOP_VIEW)
    return _returns_page(request, coop, roles)


@login_required
@require_POST
def return_decide(request: HttpRequest, code: str, return_id: int) -> HttpResponse:
    """Approve (stock back, refund posted) or reject (with a note) a request; not by the one who made it."""
    coop, roles = _coop(request, code, Action.SHOP_RETURN_APPROVE)
    pending = selectors.return_get(cooperative=coop, return_id=return_id)
    form = ReturnDecideForm(request.POST)
    status = 422
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            decided = services.sale_return_decide(
                cooperative=coop,
                sale_return=pending,
                approve=approve,
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except REFUSED as exc:
            status = form_add_domain_error(form, exc)
        else:
            figures = {"no": decided.sale.sale_no, "amount": format_rupiah(decided.amount)}
            if decided.status == ReturnStatus.APPROVED:
                messages.success(request, _("Retur nota %(no)s disetujui: %(amount)s dikembalikan.") % figures)
            else:
                messages.success(request, _("Retur nota %(no)s ditolak.") % figures)
            return redirect(reverse("shop:returns", args=[coop.code]))
    return _returns_page(request, coop, roles, bound={pending.pk: form}, status=status)
