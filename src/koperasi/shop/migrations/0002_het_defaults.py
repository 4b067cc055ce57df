from django.db import migrations


def load(apps, schema_editor):
    from koperasi.shop.het_defaults import het_default_rows

    Het = apps.get_model("shop", "Het")
    Het.objects.bulk_create(
        [
            Het(commodity=c, region_code=r, zone=z, price=p, effective_from=f, legal_basis=b)
            for c, r, z, p, f, b in het_default_rows()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
