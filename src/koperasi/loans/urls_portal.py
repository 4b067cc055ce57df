"""The member's own loans in the portal, under ``/k/<coop-code>/saya/pinjaman/``."""

from django.urls import URLPattern, path

from koperasi.loans import views_portal

app_name = "loans_portal"
urlpatterns: list[URLPattern] = [
    path("", views_portal.loan_list, name="list"),
    path("<int:loan_id>/", views_portal.loan_detail, name="detail"),
]
