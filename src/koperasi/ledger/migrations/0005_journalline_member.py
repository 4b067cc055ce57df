"""Journal lines name the member they belong to; the line trigger checks the member's cooperative."""

import django.db.models.deletion
from django.db import migrations, models

from koperasi.ledger.db_triggers import install


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_entry_source_index"),
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="journalline",
            name="member",
            field=models.ForeignKey(
                blank=True,
                help_text="Anggota pemilik baris ini (buku pembantu simpanan, pinjaman, SHU).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="members.member",
            ),
        ),
        # Re-create the triggers: the line trigger now checks the member's cooperative too.
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
