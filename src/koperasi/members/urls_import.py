"""Pages of the member import: the template download and upload → check → confirm."""

from django.urls import URLPattern, path, re_path

from koperasi.members import views_import

urlpatterns: list[URLPattern] = [
    path("impor/", views_import.member_import, name="import"),
    re_path(r"^impor/template\.(?P<fmt>xlsx|csv)$", views_import.import_template, name="import_template"),
]
