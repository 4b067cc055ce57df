"""Reference data: Kalimantan Timur, Kota Balikpapan, its 6 kecamatan and 34 kelurahan."""

from django.db import migrations


def load(apps, schema_editor):
    from koperasi.regions.loading import BALIKPAPAN_CSV, regions_load_csv

    regions_load_csv(BALIKPAPAN_CSV, region_model=apps.get_model("regions", "Region"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
