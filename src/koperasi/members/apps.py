from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "koperasi.members"
    label = "members"
    verbose_name = "Anggota"
