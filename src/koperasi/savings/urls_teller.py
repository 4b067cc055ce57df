"""Pages of the savings officers: summary, teller, wajib arrears, settings, interest, reconciliation."""

from django.urls import URLPattern, path

from koperasi.savings import views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("transaksi/baru/", views.transaction_new, name="transaction_new"),
    path("tunggakan/", views.arrears, name="arrears"),
    path("pengaturan/", views.settings_page, name="settings"),
    path("bunga/", views.interest, name="interest"),
    path("rekonsiliasi/", views.reconcile, name="reconcile"),
    path("anggota/<int:member_id>/wajib/", views.wajib_amount, name="wajib_amount"),
    path("transaksi/<int:txn_id>/koreksi/", views.transaction_reverse, name="reverse"),
]
