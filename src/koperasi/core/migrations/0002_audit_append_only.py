from django.db import migrations

from koperasi.core.db.append_only import append_only, drop_append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(append_only("core_auditevent"), drop_append_only("core_auditevent"))]
