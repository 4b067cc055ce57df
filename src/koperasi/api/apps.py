from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "koperasi.api"
    label = "api"
    verbose_name = "API"
