"""The gerai's reports: the page with a report selector, and each report as Excel and PDF."""

from django.urls import URLPattern, path

from koperasi.shop import views_reports as views

urlpatterns: list[URLPattern] = [
    path("laporan/", views.reports_page, name="reports"),
    path("laporan/<slug:name>.xlsx", views.report_xlsx, name="report_xlsx"),
    path("laporan/<slug:name>.pdf", views.report_pdf_view, name="report_pdf"),
]
