"""Pages of teller (filled by its views module)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
