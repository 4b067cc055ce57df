"""Fixtures of other apps' tests.

The shop's and the subsidies' (catalogue, stock, LPG and SPHP programmes, households) for
test_subsidies; the SHU's (2025 books, closed, distributed) for test_shu.
"""

from tests.shu.conftest import closed_year, distributed, year_books  # noqa: F401
from tests.subsidies.conftest import (  # noqa: F401
    households,
    lpg,
    lpg_program,
    make_item,
    manajer,
    oil,
    register,
    rice,
    sphp_program,
    stocked,
    supplier,
)
