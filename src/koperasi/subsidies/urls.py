"""HTML pages of the subsidised-goods programmes, under ``/k/<coop-code>/subsidi/``."""

from koperasi.subsidies.urls_back import urlpatterns as back_office
from koperasi.subsidies.urls_reports import urlpatterns as reports

app_name = "subsidies"
urlpatterns = back_office + reports
