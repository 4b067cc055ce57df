from django.urls import path

from koperasi.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.cooperative_list, name="cooperative_list"),
    path("koperasi.xlsx", views.cooperative_export, name="cooperative_export"),
]
