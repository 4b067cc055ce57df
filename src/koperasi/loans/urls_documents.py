"""Documents of loans: schedule and statement PDFs, repayment receipts."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
