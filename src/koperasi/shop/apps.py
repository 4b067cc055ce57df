from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "koperasi.shop"
    label = "shop"
    verbose_name = "Gerai dan gudang"
