"""Pages of documents: the member card (PDF) and the statistics page."""

from django.urls import URLPattern, path

from koperasi.members import views_documents

urlpatterns: list[URLPattern] = [
    path("statistik/", views_documents.member_stats, name="stats"),
    path("<int:member_id>/kartu.pdf", views_documents.member_card, name="card"),
]
