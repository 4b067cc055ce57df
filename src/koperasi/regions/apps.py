from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "koperasi.regions"
    label = "regions"
    verbose_name = "Wilayah"
