"""The back office of the gerai and gudang: catalogue, HET, suppliers and purchasing, stock, consignment."""

from django.urls import URLPattern, path

from koperasi.shop import views_back, views_catalogue, views_purchasing, views_stock

urlpatterns: list[URLPattern] = [
    path("", views_back.home, name="home"),
    # catalogue and HET
    path("barang/", views_catalogue.products, name="products"),
    path("barang/baru/", views_catalogue.product_new, name="product_new"),
    path("barang/<int:product_id>/", views_catalogue.product_detail, name="product_detail"),
    path("barang/<int:product_id>/ubah/", views_catalogue.product_edit, name="product_edit"),
    path("barang/<int:product_id>/harga/", views_catalogue.product_price, name="product_price"),
    path("barang/<int:product_id>/kartu-stok/", views_stock.stock_card, name="stock_card"),
    path("het/", views_catalogue.het, name="het"),
    path("het/baru/", views_catalogue.het_new, name="het_new"),
    # suppliers and purchasing
    path("pemasok/", views_purchasing.suppliers, name="suppliers"),
    path("pemasok/baru/", views_purchasing.supplier_new, name="supplier_new"),
    path("pemasok/<int:supplier_id>/", views_purchasing.supplier_detail, name="supplier_detail"),
    path("pemasok/<int:supplier_id>/bayar/", views_purchasing.supplier_pay, name="supplier_pay"),
    path("pemasok/<int:supplier_id>/faktur/", views_purchasing.invoice_new, name="invoice_new"),
    path("pesanan/", views_purchasing.orders, name="orders"),
    path("pesanan/baru/", views_purchasing.order_new, name="order_new"),
    path("pesanan/<int:order_id>/", views_purchasing.order_detail, name="order_detail"),
    path("pesanan/<int:order_id>/terima/", views_purchasing.order_receive, name="order_receive"),
    path("pesanan/<int:order_id>/batal/", views_purchasing.order_cancel, name="order_cancel"),
    path("pembelian/baru/", views_purchasing.purchase_new, name="purchase_new"),
    # stock and consignment
    path("stok/", views_stock.stock, name="stock"),
    path("stok/mutasi/", views_stock.transfer_new, name="transfer_new"),
    path("stok/opname/", views_stock.count_new, name="count_new"),
    path("titipan/", views_stock.consignment, name="consignment"),
    path("titipan/terima/", views_stock.consignment_receive, name="consignment_receive"),
    path("titipan/<int:supplier_id>/bayar/", views_stock.consignment_settle, name="consignment_settle"),
]
