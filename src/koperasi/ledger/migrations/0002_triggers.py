from django.db import migrations

from koperasi.ledger.db_triggers import install, uninstall


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(install, uninstall)]
