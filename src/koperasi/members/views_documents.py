"""Printable member documents and the statistics page, under ``/k/<coop-code>/anggota/``.

- ``members:card``: the member card (kartu anggota), a credit-card sized PDF with the QR
  code of ``card.card_payload``. Officers with ``MEMBERS_VIEW`` print anyone's; a member
  logged in to the portal prints their own (``card.member_documents_get``).
- ``members:stats``: counts by status, gender, age group and join month
  (``statistics.member_statistics``); ``MEMBER_STATS_VIEW``, which the Dinas holds. No
  personal data.

``NotFound`` and ``PermissionDenied`` propagate to the middleware (404 / 403).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.permissions import Action
from koperasi.ledger.exports import kelurahan_line
from koperasi.ledger.pdf import PDF_CONTENT_TYPE, render_pdf
from koperasi.members.card import card_payload, card_qr_svg, member_documents_get
from koperasi.members.choices import CURRENT_STATUSES, MemberStatus
from koperasi.members.navigation import nav_perms
from koperasi.members.statistics import member_statistics

CARD_TEMPLATE = "members/card_pdf.html"


@login_required
@require_GET
def member_card(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    """The member card as PDF (inline, to print)."""
    coop, roles = cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_VIEW)
    member = member_documents_get(
        cooperative=coop, user=request.user, roles=roles, member_id=member_id, action=Action.MEMBERS_VIEW
    )
    payload = card_payload(coop.code, member.member_no)
    content = render_pdf(
        {
            "coop": coop,
            "kelurahan_line": kelurahan_line(coop),
            "member": member,
            "is_calon": member.status == MemberStatus.CALON,
            "is_current": member.status in CURRENT_STATUSES,
            "payload": payload,
            "qr_svg": card_qr_svg(payload),
            "printed_at": timezone.localtime(),
        },
        CARD_TEMPLATE,
    )
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="kartu-anggota-{coop.code}-{member.number}.pdf"'
    return response


@login_required
@require_GET
def member_stats(request: HttpRequest, code: str) -> HttpResponse:
    """Counts of members by status, gender, age group and join month."""
    coop, roles = cooperative_get_for_user(user=request.user, code=code, action=Action.MEMBER_STATS_VIEW)
    stats = member_statistics(cooperative=coop, today=timezone.localdate())
    return render(request, "members/stats.html", {"coop": coop, "nav_perms": nav_perms(roles), "stats": stats})
