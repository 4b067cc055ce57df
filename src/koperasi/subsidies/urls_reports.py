"""The programme's logbook and reports, as pages, Excel and CSV."""

from django.urls import path

from koperasi.subsidies import views_reports as views

urlpatterns = [
    path("laporan/", views.reports_page, name="reports"),
    path("laporan/<slug:name>.xlsx", views.report_xlsx, name="report_xlsx"),
    path("laporan/<slug:name>.csv", views.report_csv, name="report_csv"),
]
