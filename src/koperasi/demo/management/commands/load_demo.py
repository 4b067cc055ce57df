"""``manage.py load_demo``: the Balikpapan demo (idempotent) and its users."""

from django.core.management.base import BaseCommand

from koperasi.demo.balikpapan import DEMO_PASSWORD, DEMO_STAFF, demo_load


class Command(BaseCommand):
    help = "Muat data demo Kota Balikpapan (34 KKMP) dan pengguna demo. Aman dijalankan berulang."

    def handle(self, *args, **options):
        result = demo_load()
        self.stdout.write(f"Demo: {result.cooperatives_created} koperasi baru, {result.users_created} pengguna baru.")
        self.stdout.write(
            f"Anggota: {result.members_registered} baru, {result.savings_transactions} transaksi simpanan baru."
        )
        self.stdout.write(f"Pinjaman: {result.loans} baru, {result.loan_transactions} transaksi pinjaman baru.")
        self.stdout.write(f"Gerai: {result.sales} penjualan baru.")
        self.stdout.write(
            f"Barang bersubsidi: {result.subsidy_programs} program, {result.subsidy_recipients} penerima, "
            f"{result.distributions} penyaluran baru."
        )
        self.stdout.write(
            f"Tutup buku dan SHU: {result.years_closed} tahun buku ditutup, "
            f"{result.shu_distributions} pembagian SHU, {result.shu_payments} pembayaran SHU baru."
        )
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(f"Pengguna demo (kata sandi semua: {DEMO_PASSWORD}):")
        self.stdout.write("  admin       — admin sistem (membuat koperasi, menetapkan peran)")
        self.stdout.write("  dinas       — Dinas Koperasi Kota Balikpapan (melihat 34 koperasi)")
        for username, role, _ in DEMO_STAFF:
            self.stdout.write(f"  {username:<11} — {role.label}, KKMP Gunung Sari Ulu")
        self.stdout.write(
            "  ketua.<kode>, bendahara.<kode>, pengawas.<kode> — pengurus dan pengawas koperasi lain yang beroperasi"
        )
        self.stdout.write(
            "  anggota.batu-ampar — anggota pendiri KKMP Batu Ampar: SHU 2025 di portal /k/batu-ampar/saya/shu/"
        )
        self.stdout.write("  (anggota = Budi Santoso, anggota KKMP Gunung Sari Ulu: portal /k/gunung-sari-ulu/saya/)")
