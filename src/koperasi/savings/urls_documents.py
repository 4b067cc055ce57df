"""Pages of documents: the receipt of a transaction (page and PDF) and the passbook (PDF)."""

from django.urls import URLPattern, path

from koperasi.savings import views_documents

urlpatterns: list[URLPattern] = [
    path("transaksi/<int:txn_id>/", views_documents.receipt, name="receipt"),
    path("transaksi/<int:txn_id>/bukti.pdf", views_documents.receipt_pdf, name="receipt_pdf"),
    path("anggota/<int:member_id>/buku/<slug:kind>.pdf", views_documents.passbook, name="passbook"),
]
