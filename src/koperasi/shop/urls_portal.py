"""The member's own gerai purchases in the portal, under ``/k/<coop-code>/saya/belanja/``."""

from django.urls import URLPattern, path

from koperasi.shop import views_portal

app_name = "shop_portal"
urlpatterns: list[URLPattern] = [path("", views_portal.purchases, name="purchases")]
