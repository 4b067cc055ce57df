from django.urls import path

from koperasi.cooperatives import views

app_name = "cooperatives"
urlpatterns = [
    path("baru/", views.cooperative_register_view, name="register"),
    path("<slug:code>/", views.cooperative_detail, name="detail"),
    path("<slug:code>/ubah/", views.profile_edit, name="profile_edit"),
    path("<slug:code>/legal/<slug:kind>/", views.legal_edit, name="legal_edit"),
    path("<slug:code>/tahap/", views.stage_change, name="stage_change"),
    path("<slug:code>/fasilitas/baru/", views.facility_edit, name="facility_add"),
    path("<slug:code>/fasilitas/<int:facility_id>/", views.facility_edit, name="facility_edit"),
    path("<slug:code>/unit/", views.units, name="units"),
    path("<slug:code>/unit/<slug:unit_code>/status/", views.unit_status, name="unit_status"),
    path("<slug:code>/mitra/baru/", views.partner_edit, name="partner_add"),
    path("<slug:code>/mitra/<int:partner_id>/", views.partner_edit, name="partner_edit"),
    path("<slug:code>/pengguna/", views.users, name="users"),
]
