"""Pages of the financial statements (laporan)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
