"""The Dinas logs in on a phone and oversees the 34 Balikpapan cooperatives."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import LiveApp

pytestmark = pytest.mark.browser


def test_dinas_logs_in_and_sees_every_cooperative(live_app: LiveApp, phone_page: Any) -> None:
    from playwright.sync_api import expect

    page = phone_page
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda error: failed.append(f"js: {error}"))

    page.goto(f"{live_app.url}/masuk/")
    page.fill("input[name=username]", "dinas")
    page.fill("input[name=password]", "koperasi-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_app.url}/pembinaan/")

    expect(page.locator("tr[data-coop]")).to_have_count(34)
    assert failed == [], "the page or its static files failed to load"
    expect(page.get_by_role("link", name="Koperasi Kelurahan Merah Putih Graha Indah")).to_be_visible()
    expect(page.locator('tr[data-coop="graha-indah"]')).to_contain_text("Graha Indah")
    expect(page.locator(".stage-counts")).to_contain_text("24")
    # The stylesheet is served: stage tiles are laid out as a grid.
    assert page.locator(".stage-counts").evaluate("e => getComputedStyle(e).display") == "grid"
    page.screenshot(path=str(live_app.var_dir / "dinas.png"))
    page.screenshot(path=str(live_app.var_dir / "dinas-full.png"), full_page=True)
    page.locator(".table-wrap").first.screenshot(path=str(live_app.var_dir / "dinas-table.png"))

    # Choosing a stage filters the list (HTMX swaps the results, the URL follows).
    page.select_option("select[name=stage]", "pembangunan")
    expect(page.locator("tr[data-coop]")).to_have_count(3)
    expect(page).to_have_url(f"{live_app.url}/pembinaan/?kecamatan=&stage=pembangunan&q=")
    page.screenshot(path=str(live_app.var_dir / "dinas-pembangunan.png"))

    # A stage tile is a plain link: it works without JavaScript too.
    page.goto(f"{live_app.url}/pembinaan/")
    page.click('.stage-counts a[data-stage="beroperasi"]')
    expect(page.locator("tr[data-coop]")).to_have_count(7)

    assert failed == []
    print(f"screenshots in {live_app.var_dir}")
