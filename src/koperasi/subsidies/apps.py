from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "koperasi.subsidies"
    label = "subsidies"
    verbose_name = "Barang bersubsidi"
