"""HTML pages of the year-end close and the SHU, under ``/k/<coop-code>/shu/``.

``views_year``: the years, the close wizard, reopening, the policy, simulations and the
RAT's approval. ``views_distribution``: the approved SHU, members' shares, payments, the
Excel of all members and each member's slip (PDF).
"""

from django.urls import path

from koperasi.shu import views_distribution, views_funds, views_year

app_name = "shu"
urlpatterns = [
    path("", views_year.home, name="home"),
    path("aturan/", views_year.policy, name="policy"),
    path("simulasi/", views_year.simulate, name="simulate"),
    path("dana/", views_funds.funds, name="funds"),
    path("buka-kembali/<int:request_id>/setujui/", views_year.reopen_approve, name="reopen_approve"),
    path("<int:year>/", views_year.year_detail, name="year"),
    path("<int:year>/tutup/", views_year.year_close, name="year_close"),
    path("<int:year>/buka-kembali/", views_year.reopen_request, name="reopen_request"),
    path("<int:year>/pengesahan/", views_year.approve, name="approve"),
    path("<int:year>/pembagian/", views_distribution.distribution, name="distribution"),
    path("<int:year>/pembagian/excel/", views_distribution.distribution_excel, name="distribution_excel"),
    path("<int:year>/bayar-semua/", views_distribution.pay_all, name="pay_all"),
    path("<int:year>/anggota/<int:share_id>/", views_distribution.share_detail, name="share"),
    path("<int:year>/anggota/<int:share_id>/bayar/", views_distribution.share_pay, name="share_pay"),
    path("<int:year>/anggota/<int:share_id>/slip.pdf", views_distribution.share_slip_pdf, name="share_slip"),
]
