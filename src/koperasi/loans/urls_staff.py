"""Pages of the loan officers: products, applications, approvals, disbursement, repayments, reports."""

from django.urls import URLPattern, path

from koperasi.loans import views

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("ajukan/", views.apply, name="apply"),
    path("ajukan/simulasi/", views.simulate, name="simulate"),
    path("produk/", views.products, name="products"),
    path("produk/baru/", views.product_new, name="product_new"),
    path("produk/<int:product_id>/ubah/", views.product_edit, name="product_edit"),
    path("pengaturan/", views.settings_page, name="settings"),
    path("laporan/", views.reports_page, name="reports"),
    path("tutup-bulan/", views.month_end, name="month_end"),
    path("<int:loan_id>/", views.detail, name="detail"),
    path("<int:loan_id>/setujui/", views.approve, name="approve"),
    path("<int:loan_id>/tolak/", views.reject, name="reject"),
    path("<int:loan_id>/cairkan/", views.disburse, name="disburse"),
    path("<int:loan_id>/bayar/", views.repay, name="repay"),
    path("<int:loan_id>/pelunasan/", views.payoff, name="payoff"),
    path("<int:loan_id>/hapus-buku/usul/", views.write_off_propose, name="write_off_propose"),
    path("<int:loan_id>/hapus-buku/setujui/", views.write_off_approve, name="write_off_approve"),
    path("<int:loan_id>/pemulihan/", views.recover, name="recover"),
]
