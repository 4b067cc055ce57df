"""The member's own loans in the portal, under ``/k/<coop-code>/saya/pinjaman/``."""

from django.urls import URLPattern

app_name = "loans_portal"
urlpatterns: list[URLPattern] = []
