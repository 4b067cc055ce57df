"""The cashier's pages (POS): the till, cashier sessions, sales, receipts, returns."""

from django.urls import URLPattern, path

from koperasi.shop import views_pos

urlpatterns: list[URLPattern] = [
    path("kasir/", views_pos.pos, name="pos"),
    path("kasir/buka/", views_pos.session_open, name="session_open"),
    path("kasir/cari/", views_pos.pos_search, name="pos_search"),
    path("kasir/tambah/", views_pos.pos_add, name="pos_add"),
    path("kasir/keranjang/", views_pos.pos_update, name="pos_update"),
    path("kasir/pembeli/", views_pos.pos_buyer, name="pos_buyer"),
    path("kasir/bayar/", views_pos.pos_pay, name="pos_pay"),
    path("kasir/sesi/", views_pos.sessions, name="sessions"),
    path("kasir/<int:session_id>/tutup/", views_pos.session_close, name="session_close"),
    path("penjualan/", views_pos.sales, name="sales"),
    path("penjualan/<int:sale_id>/", views_pos.sale_detail, name="sale_detail"),
    path("penjualan/<int:sale_id>/struk/", views_pos.receipt, name="receipt"),
    path("penjualan/<int:sale_id>/struk.pdf", views_pos.receipt_pdf_view, name="receipt_pdf"),
    path("penjualan/<int:sale_id>/retur/", views_pos.return_request, name="return_request"),
    path("retur/", views_pos.returns, name="returns"),
    path("retur/<int:return_id>/putuskan/", views_pos.return_decide, name="return_decide"),
]
