from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "koperasi.ledger"
    label = "ledger"
    verbose_name = "Buku besar"
    default_auto_field = "django.db.models.BigAutoField"
