"""Add the template accounts added since (4-2400 penalties from non-members) to existing charts.

``chart_create`` leaves existing accounts alone, so only the missing ones are created. A
cooperative that already used a code or role for something else keeps its own account.
"""

from typing import Any

from django.db import migrations

from koperasi.ledger.chart import chart_create


def seed(apps: Any, schema_editor: Any) -> None:
    account_model = apps.get_model("ledger", "Account")
    head_model = apps.get_model("ledger", "LedgerHead")
    unit_model = apps.get_model("cooperatives", "BusinessUnit")
    taken_roles = set(account_model.objects.filter(role="loan_penalty_non_members").values_list("cooperative_id", flat=True))
    for coop_id in apps.get_model("cooperatives", "Cooperative").objects.values_list("id", flat=True):
        if coop_id not in taken_roles:
            chart_create(account_model=account_model, head_model=head_model, unit_model=unit_model, cooperative_id=coop_id)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_journalline_member")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
