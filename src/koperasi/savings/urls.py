"""HTML pages of savings, under ``/k/<coop-code>/simpanan/``."""

from koperasi.savings.urls_documents import urlpatterns as documents
from koperasi.savings.urls_teller import urlpatterns as teller

app_name = "savings"
urlpatterns = teller + documents
