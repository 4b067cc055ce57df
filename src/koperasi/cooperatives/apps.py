from django.apps import AppConfig


class CooperativesConfig(AppConfig):
    name = "koperasi.cooperatives"
    label = "cooperatives"
    verbose_name = "Koperasi"
