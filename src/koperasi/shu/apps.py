from django.apps import AppConfig


class ShuConfig(AppConfig):
    name = "koperasi.shu"
    label = "shu"
    verbose_name = "Tutup buku dan SHU"
