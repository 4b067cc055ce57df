"""The member's own gerai purchases in the portal, under ``/k/<coop-code>/saya/belanja/`` (DESIGN.md §5).

What a member bought as a member is the base of their SHU jasa usaha (domain.md §2.3c),
so the portal shows it per year with each receipt's lines and returns. Anyone but the
member gets "not found", as in the other portal pages.

Subsidised goods (LPG 3 kg, SPHP rice) are recorded by NIK, so the page also lists what was
handed over under the member's NIK this year and last (in one query) and what the member
may still take today under each programme in force.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import NotFound, PermissionDenied
from koperasi.core.permissions import Action
from koperasi.members.navigation import nav_perms
from koperasi.members.selectors import member_for_user
from koperasi.shop import selectors
from koperasi.subsidies import calculations as subsidy_calculations
from koperasi.subsidies import selectors as subsidy_selectors

FIRST_YEAR = 2000


@login_required
@require_GET
def purchases(request: HttpRequest, code: str) -> HttpResponse:
    """The member's purchases in a year (``?tahun=``, default this year): totals and every receipt.

    Below them, the member's subsidised goods of this year and last and the quota left today.
    """
    try:
        coop, roles = cooperative_get_for_user(user=request.user, code=code, action=Action.PORTAL_VIEW)
    except PermissionDenied:
        raise NotFound("Halaman ini hanya untuk anggota koperasi.") from None
    member = member_for_user(cooperative=coop, user=request.user)
    if member is None:
        raise NotFound("Akun Anda belum terhubung dengan data anggota koperasi ini.")
    today = timezone.localdate()
    raw = request.GET.get("tahun", "")
    year = int(raw) if raw.isdigit() and FIRST_YEAR <= int(raw) <= today.year else today.year
    sales = selectors.member_sales(cooperative=coop, member=member, year=year)
    counted = [s for s in sales if s.is_member_sale]
    since = datetime.date(today.year - 1, 1, 1)  # subsidised goods: this year and last
    context = {
        "coop": coop,
        "member": member,
        "nav_perms": nav_perms(roles),
        "active": "portal_purchases",
        "year": year,
        "years": list(range(today.year, max(FIRST_YEAR, member.joined_on.year) - 1, -1)),
        "sales": sales,
        "net_total": sum(s.total - s.total_returned for s in counted),
        "receipts": len(counted),
        "subsidy_since": since,
        "distributions": list(
            subsidy_selectors.distribution_list(cooperative=coop, nik=member.nik, date_from=since).order_by(
                "-date", "-recorded_at", "-id"
            )
        ),
        "quotas": [
            (usage, subsidy_calculations.usage_summary(usage.rules))
            for usage in (
                subsidy_selectors.program_usage(cooperative=coop, program=program, nik=member.nik, day=today)
                for program in subsidy_selectors.program_list(cooperative=coop)
                if subsidy_selectors.in_force(program, today)
            )
        ],
    }
    return render(request, "shop/portal_purchases.html", context)
