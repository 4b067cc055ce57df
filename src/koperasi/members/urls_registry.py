"""Pages of the member registry: list, export, registration, detail, edit, exit, portal login."""

from django.urls import URLPattern, path

from koperasi.members import views

urlpatterns: list[URLPattern] = [
    path("", views.member_list_view, name="list"),
    path("ekspor.xlsx", views.member_export, name="export"),
    path("baru/", views.member_new, name="new"),
    path("<int:member_id>/", views.member_detail, name="detail"),
    path("<int:member_id>/ubah/", views.member_edit, name="edit"),
    path("<int:member_id>/keluar/", views.member_exit_view, name="exit"),
    path("<int:member_id>/akun-portal/", views.member_portal_account, name="portal_account"),
]
