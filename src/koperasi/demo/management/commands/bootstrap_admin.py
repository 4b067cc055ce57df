"""``manage.py bootstrap_admin``: the one ``admin`` user of a real set-up (``DEMO=0``)."""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from koperasi.core.models import RegionalRole
from koperasi.core.roles import Role


class Command(BaseCommand):
    help = "Buat pengguna 'admin' dengan kata sandi dari ADMIN_PASSWORD (tanpa data demo)."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(username="admin").exists():
            self.stdout.write("Pengguna 'admin' sudah ada; tidak ada yang diubah.")
            return
        password = os.environ.get("ADMIN_PASSWORD", "")
        if not password:
            raise CommandError("ADMIN_PASSWORD wajib diisi bila DEMO=0, mis. ADMIN_PASSWORD='...' DEMO=0 make run")
        user = User(username="admin", first_name="Administrator", is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("ADMIN_PASSWORD terlalu lemah: " + " ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            RegionalRole.objects.create(user=user, role=Role.ADMIN)
        self.stdout.write("Pengguna 'admin' dibuat. Masuk di http://127.0.0.1:8000/masuk/")
