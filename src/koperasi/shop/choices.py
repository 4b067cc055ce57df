"""Enumerations of the gerai and gudang (kept apart so pure modules need no models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HetCommodity(models.TextChoices):
    """Goods with a price ceiling set by government (domain.md §7)."""

    LPG_3KG = "lpg_3kg", _("LPG 3 kg (per tabung)")
    MINYAKITA = "minyakita", _("MinyaKita (per liter)")
    BERAS_MEDIUM = "beras_medium", _("Beras medium (per kg)")
    BERAS_PREMIUM = "beras_premium", _("Beras premium (per kg)")
    BERAS_SPHP = "beras_sphp", _("Beras SPHP (per kg)")


class LocationKind(models.TextChoices):
    GUDANG = "gudang", _("Gudang")
    GERAI = "gerai", _("Gerai")


class SupplierKind(models.TextChoices):
    BULOG = "bulog", _("Perum Bulog")
    PERTAMINA = "pertamina", _("Agen Pertamina")
    DISTRIBUTOR = "distributor", _("Distributor")
    UMKM = "umkm", _("UMKM anggota")
    OTHER = "lainnya", _("Lainnya")


class PurchaseOrderStatus(models.TextChoices):
    ORDERED = "ordered", _("Dipesan")
    PARTIAL = "partial", _("Diterima sebagian")
    RECEIVED = "received", _("Diterima lengkap")
    CANCELLED = "cancelled", _("Dibatalkan")


class PaymentMethod(models.TextChoices):
    """How a buyer pays at the till; QRIS and transfer settle into the bank account."""

    TUNAI = "tunai", _("Tunai")
    QRIS = "qris", _("QRIS")
    TRANSFER = "transfer", _("Transfer bank")


class SupplierPaymentChannel(models.TextChoices):
    TUNAI = "tunai", _("Tunai")
    TRANSFER = "transfer", _("Transfer bank")


class SessionStatus(models.TextChoices):
    OPEN = "open", _("Buka")
    CLOSED = "closed", _("Ditutup")


class SaleStatus(models.TextChoices):
    COMPLETED = "completed", _("Selesai")
    VOIDED = "voided", _("Dibatalkan")


class ReturnKind(models.TextChoices):
    VOID = "void", _("Pembatalan nota")
    RETURN = "return", _("Retur barang")


class ReturnStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu persetujuan")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")


class MoveKind(models.TextChoices):
    """Why a stock quantity changed (one ``StockMove`` per product, location and event)."""

    RECEIPT = "receipt", _("Penerimaan barang")
    SALE = "sale", _("Penjualan")
    RETURN = "return", _("Retur penjualan")
    TRANSFER_OUT = "transfer_out", _("Mutasi keluar")
    TRANSFER_IN = "transfer_in", _("Mutasi masuk")
    COUNT = "count", _("Selisih stok opname")
    CONSIGNMENT_IN = "consignment_in", _("Titipan masuk")
    CONSIGNMENT_OUT = "consignment_out", _("Titipan dikembalikan")


PAYMENT_ROLE = {
    PaymentMethod.TUNAI: "cash",
    PaymentMethod.QRIS: "bank",
    PaymentMethod.TRANSFER: "bank",
}
SUPPLIER_PAYMENT_ROLE = {SupplierPaymentChannel.TUNAI: "cash", SupplierPaymentChannel.TRANSFER: "bank"}
