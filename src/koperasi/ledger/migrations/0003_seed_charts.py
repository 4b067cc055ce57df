"""Give every cooperative registered before the ledger existed its chart of accounts."""

from typing import Any

from django.db import migrations

from koperasi.ledger.chart import chart_create


def seed(apps: Any, schema_editor: Any) -> None:
    account_model = apps.get_model("ledger", "Account")
    head_model = apps.get_model("ledger", "LedgerHead")
    unit_model = apps.get_model("cooperatives", "BusinessUnit")
    for coop_id in apps.get_model("cooperatives", "Cooperative").objects.values_list("id", flat=True):
        chart_create(account_model=account_model, head_model=head_model, unit_model=unit_model, cooperative_id=coop_id)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_triggers"), ("cooperatives", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
