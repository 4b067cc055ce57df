from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "koperasi.demo"
    label = "demo"
    verbose_name = "Data demo"
