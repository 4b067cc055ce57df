"""The member's own portal, under ``/k/<coop-code>/saya/`` (filled by views_portal)."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "portal"
urlpatterns: list[URLPattern] = []
