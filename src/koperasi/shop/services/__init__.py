"""Writes of the gerai and gudang. Each public function is one transaction: rows, ledger entry, audit row.

Lock order, the same everywhere so two writes never deadlock: the product rows (in
primary-key order), then their stock levels, then the document counter, then the ledger
head (inside ``journal_post``). A sale, and the approval of a cash refund, also lock their
cashier session row (after the products), so a till's close counts exactly its sales.
Callers (views, API) have checked the actor's permission; ``sale_return_decide`` also
checks that the approver is not the requester.

One module per concept: ``catalogue`` (HET, products, prices), ``purchasing`` (suppliers,
orders, receipts, invoices, payments), ``stock`` (transfers, counts, consignment goods),
``sales`` (cashier sessions, sales, returns). Import them from here.
"""

from koperasi.shop.services._common import (
    locations_ensure,
    next_number,
)
from koperasi.shop.services.catalogue import (
    ProductInput,
    het_create,
    product_create,
    product_price_set,
    product_update,
)
from koperasi.shop.services.purchasing import (
    PurchaseLineInput,
    goods_receive,
    purchase_direct,
    purchase_order_cancel,
    purchase_order_create,
    supplier_create,
    supplier_for_name,
    supplier_invoice_record,
    supplier_pay,
)
from koperasi.shop.services.sales import (
    SaleLineInput,
    buyer_member,
    cashier_session_close,
    cashier_session_open,
    sale_create,
    sale_return_decide,
    sale_return_request,
    session_expected_cash,
)
from koperasi.shop.services.stock import (
    consignment_receive,
    consignment_settle,
    stock_count_post,
    stock_transfer,
)

__all__ = [
    "ProductInput",
    "PurchaseLineInput",
    "SaleLineInput",
    "buyer_member",
    "cashier_session_close",
    "cashier_session_open",
    "consignment_receive",
    "consignment_settle",
    "goods_receive",
    "het_create",
    "locations_ensure",
    "next_number",
    "product_create",
    "product_price_set",
    "product_update",
    "purchase_direct",
    "purchase_order_cancel",
    "purchase_order_create",
    "sale_create",
    "sale_return_decide",
    "sale_return_request",
    "session_expected_cash",
    "stock_count_post",
    "stock_transfer",
    "supplier_create",
    "supplier_for_name",
    "supplier_invoice_record",
    "supplier_pay",
]
