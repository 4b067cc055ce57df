"""Pages of the financial statements (laporan)."""

from django.urls import URLPattern, path

from koperasi.ledger import views_reports as views

urlpatterns: list[URLPattern] = [
    path("laporan/", views.reports_index, name="reports"),
    path("laporan/neraca-saldo/", views.trial_balance, name="trial_balance"),
    path("laporan/neraca/", views.balance_sheet, name="balance_sheet"),
    path("laporan/hasil-usaha/", views.income_statement, name="income_statement"),
    path("laporan/arus-kas/", views.cash_flow, name="cash_flow"),
    path("laporan/perubahan-ekuitas/", views.equity_changes, name="equity_changes"),
    path("laporan/buku-besar/", views.general_ledger, name="general_ledger"),
]
