from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from koperasi.api.api import api
from koperasi.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("k/<slug:code>/buku/", include("koperasi.ledger.urls")),
    path("k/<slug:code>/anggota/", include("koperasi.members.urls")),
    path("k/<slug:code>/simpanan/", include("koperasi.savings.urls")),
    path("k/<slug:code>/pinjaman/", include("koperasi.loans.urls")),
    path("k/<slug:code>/gerai/", include("koperasi.shop.urls")),
    path("k/<slug:code>/subsidi/", include("koperasi.subsidies.urls")),
    path("k/<slug:code>/shu/", include("koperasi.shu.urls")),
    path("k/<slug:code>/saya/shu/", include("koperasi.shu.urls_portal")),
    path("k/<slug:code>/saya/belanja/", include("koperasi.shop.urls_portal")),
    path("k/<slug:code>/saya/pinjaman/", include("koperasi.loans.urls_portal")),
    path("k/<slug:code>/saya/", include("koperasi.savings.urls_portal")),
    path("k/", include("koperasi.cooperatives.urls")),
    path("pembinaan/", include("koperasi.oversight.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
