from django.urls import path

from koperasi.cooperatives import views

app_name = "cooperatives"
urlpatterns = [
    path("baru/", views.cooperative_register_view, name="register"),
    path("<slug:code>/", views.cooperative_detail, name="detail"),
]
