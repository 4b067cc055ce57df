from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "koperasi.oversight"
    label = "oversight"
    verbose_name = "Pembinaan (Dinas)"
