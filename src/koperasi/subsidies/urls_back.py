"""Programmes, allocations and recipients (registration, import, deactivation)."""

from django.urls import URLPattern, path

from koperasi.subsidies import views_programs, views_recipients

urlpatterns: list[URLPattern] = [
    path("", views_programs.home, name="home"),
    path("program/baru/", views_programs.program_new, name="program_new"),
    path("program/<int:program_id>/", views_programs.program_detail, name="program_detail"),
    path("program/<int:program_id>/cek-kuota/", views_programs.program_quota, name="program_quota"),
    path("program/<int:program_id>/alokasi/", views_programs.program_allocation, name="program_allocation"),
    path("program/<int:program_id>/akhiri/", views_programs.program_end, name="program_end"),
    path("penerima/", views_recipients.recipients, name="recipients"),
    path("penerima/baru/", views_recipients.recipient_new, name="recipient_new"),
    path("penerima/impor/", views_recipients.recipient_import, name="recipient_import"),
    path("penerima/impor/template.xlsx", views_recipients.recipient_import_template, name="recipient_import_template"),
    path("penerima/<int:recipient_id>/", views_recipients.recipient_detail, name="recipient_detail"),
    path("penerima/<int:recipient_id>/ubah/", views_recipients.recipient_edit, name="recipient_edit"),
    path(
        "penerima/<int:recipient_id>/nonaktifkan/",
        views_recipients.recipient_deactivate,
        name="recipient_deactivate",
    ),
    path("penerima/<int:recipient_id>/aktifkan/", views_recipients.recipient_reactivate, name="recipient_reactivate"),
]
