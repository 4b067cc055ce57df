"""HTML pages of the books, under ``/k/<coop-code>/buku/``."""

from koperasi.ledger.urls_books import urlpatterns as books
from koperasi.ledger.urls_reports import urlpatterns as reports

app_name = "ledger"
urlpatterns = books + reports
