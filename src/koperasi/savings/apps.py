from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "koperasi.savings"
    label = "savings"
    verbose_name = "Simpanan"
