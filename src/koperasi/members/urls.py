"""HTML pages of members, under ``/k/<coop-code>/anggota/``."""

from koperasi.members.urls_documents import urlpatterns as documents
from koperasi.members.urls_import import urlpatterns as importing
from koperasi.members.urls_registry import urlpatterns as registry

app_name = "members"
urlpatterns = registry + importing + documents
