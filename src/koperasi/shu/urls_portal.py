"""The member's own SHU in the portal, under ``/k/<coop-code>/saya/shu/``."""

from django.urls import path

from koperasi.shu import views_distribution

app_name = "shu_portal"
urlpatterns = [
    path("", views_distribution.portal_shu, name="home"),
    path("<int:year>/slip.pdf", views_distribution.portal_slip_pdf, name="slip"),
]
