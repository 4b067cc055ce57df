"""HTML pages of the gerai and gudang, under ``/k/<coop-code>/gerai/``."""

from koperasi.shop.urls_back import urlpatterns as back_office
from koperasi.shop.urls_pos import urlpatterns as pos
from koperasi.shop.urls_reports import urlpatterns as reports

app_name = "shop"
urlpatterns = pos + back_office + reports
