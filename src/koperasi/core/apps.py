from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "koperasi.core"
    label = "core"
    verbose_name = "Inti"
