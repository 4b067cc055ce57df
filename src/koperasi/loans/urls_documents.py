"""Documents of loans: schedule and statement PDFs, receipts of loan transactions."""

from django.urls import URLPattern, path

from koperasi.loans import views_documents

urlpatterns: list[URLPattern] = [
    path("transaksi/<int:txn_id>/bukti/", views_documents.receipt, name="receipt"),
    path("transaksi/<int:txn_id>/bukti.pdf", views_documents.receipt_pdf, name="receipt_pdf"),
    path("<int:loan_id>/jadwal.pdf", views_documents.schedule_pdf, name="schedule_pdf"),
    path("<int:loan_id>/rekening.pdf", views_documents.statement_pdf, name="statement_pdf"),
]
