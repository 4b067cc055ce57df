"""The shop's and the subsidies' fixtures (catalogue, stock, LPG and SPHP programmes, households) for test_subsidies."""

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
