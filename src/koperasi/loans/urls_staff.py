"""Pages of the loan officers: products, applications, approvals, disbursement, repayments, reports."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
