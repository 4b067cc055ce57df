"""The member's own portal, under ``/k/<coop-code>/saya/``."""

from django.urls import URLPattern, path

from koperasi.savings import views_portal

app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("", views_portal.home, name="home"),
    path("tagihan/", views_portal.bills, name="bills"),
]
