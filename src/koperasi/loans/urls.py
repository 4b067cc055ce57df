"""HTML pages of loans, under ``/k/<coop-code>/pinjaman/``."""

from koperasi.loans.urls_documents import urlpatterns as documents
from koperasi.loans.urls_staff import urlpatterns as staff

app_name = "loans"
urlpatterns = staff + documents
