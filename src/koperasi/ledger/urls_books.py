"""Pages of the chart, journal, periods, verification and opening balances."""

from django.urls import URLPattern, path

from koperasi.ledger import views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("akun/", views.accounts, name="accounts"),
    path("akun/<str:account_code>/", views.account_edit, name="account_edit"),
    path("akun/<str:account_code>/hapus/", views.account_delete, name="account_delete"),
    path("jurnal/", views.journal, name="journal"),
    path("jurnal/baru/", views.journal_new, name="journal_new"),
    path("jurnal/<int:entry_id>/", views.journal_detail, name="journal_detail"),
    path("jurnal/<int:entry_id>/balik/", views.journal_reverse, name="journal_reverse"),
    path("periode/", views.periods, name="periods"),
    path("periode/<int:year>/<int:month>/tutup/", views.period_close, name="period_close"),
    path("periode/<int:year>/<int:month>/buka/", views.period_reopen_request, name="period_reopen_request"),
    path("periode/permintaan/<int:request_id>/setujui/", views.period_reopen_approve, name="period_reopen_approve"),
    path("verifikasi/", views.verify, name="verify"),
    path("saldo-awal/", views.opening_balance, name="opening_balance"),
    path("saldo-awal/template.xlsx", views.opening_balance_template, name="opening_balance_template"),
]
