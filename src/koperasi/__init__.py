"""Koperasi: the information system for Koperasi Kelurahan/Desa Merah Putih."""
