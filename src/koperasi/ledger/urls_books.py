"""Pages of the chart, journal, periods, verification and opening balances."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
