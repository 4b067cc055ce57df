"""The member card (kartu anggota): its QR payload, the QR drawing, and who may print a member's documents.

QR payload (scanned by the POS and by RAT attendance)::

    KOPERASI:<cooperative code>:<member number>

e.g. ``KOPERASI:manggar:00001``. The prefix is upper case; the cooperative code is its
URL slug (letters, digits, ``-``, ``_``); the member number is ``Member.number``, zero
padded to at least five digits (a cooperative past 99,999 members gets six or more).
Scanners may add spaces or a newline around it; nothing else is accepted, so a scan of
any other QR code is refused instead of being read as a member.

``member_documents_*`` hold the one rule for a member's documents (card, receipts,
passbook): an officer whose role allows the page's action sees every member's; a member
logged in to the portal sees only their own; a portal user asking for another member's
gets "not found", so other members' ids cannot be probed.
"""

from __future__ import annotations

import re
from typing import Any

import segno

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import NotFound, PermissionDenied
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.members.models import Member
from koperasi.members.selectors import member_for_user, member_get

CARD_PREFIX = "KOPERASI"
MEMBER_NO_DIGITS = 5
_PAYLOAD_RE = re.compile(r"^KOPERASI:([A-Za-z0-9_-]{1,40}):([0-9]{5,9})$")


# --- QR payload (pure) --------------------------------------------------------------------------
def card_payload(coop_code: str, member_no: int) -> str:
    """Return the QR text of a card: ``KOPERASI:<coop code>:<member no., 5 digits>``. Raises ValueError."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", coop_code or ""):
        raise ValueError(f"kode koperasi tidak valid: {coop_code!r}")
    if isinstance(member_no, bool) or not isinstance(member_no, int) or not 0 < member_no < 10**9:
        raise ValueError(f"nomor anggota tidak valid: {member_no!r}")
    return f"{CARD_PREFIX}:{coop_code}:{member_no:0{MEMBER_NO_DIGITS}d}"


def card_payload_parse(text: str) -> tuple[str, int]:
    """Read a scanned card: return ``(coop_code, member_no)``. Raises ValueError for any other text."""
    match = _PAYLOAD_RE.match((text or "").strip())
    if match is None:
        raise ValueError("Bukan kode QR kartu anggota koperasi.")
    member_no = int(match.group(2))
    if member_no == 0:
        raise ValueError("Nomor anggota pada kartu tidak valid.")
    return match.group(1), member_no


def card_qr_svg(payload: str) -> str:
    """Return the QR code of ``payload`` as an inline ``<svg>`` (sized by CSS, white quiet zone)."""
    qr = segno.make(payload, error="m", micro=False)
    svg: str = qr.svg_inline(border=2, omitsize=True, svgclass="qr-code", lineclass=None, dark="#000", light="#fff")
    return svg


# --- Who may see a member's documents -----------------------------------------------------------
def member_documents_scope(
    *, cooperative: Cooperative, user: Any, roles: frozenset[Role], action: Action
) -> Member | None:
    """Return None if ``roles`` allow ``action`` on every member, else the user's own membership.

    Raises PermissionDenied when the user has neither the action nor a portal membership.
    """
    if can(roles, action):
        return None
    own = member_for_user(cooperative=cooperative, user=user) if can(roles, Action.PORTAL_VIEW) else None
    if own is None:
        raise PermissionDenied()
    return own


def member_documents_allowed(
    *, cooperative: Cooperative, user: Any, roles: frozenset[Role], member: Member, action: Action
) -> bool:
    """Return whether the user may see ``member``'s documents: by ``action``, or being that member."""
    if member.cooperative_id != cooperative.pk:
        return False
    try:
        own = member_documents_scope(cooperative=cooperative, user=user, roles=roles, action=action)
    except PermissionDenied:
        return False
    return own is None or own.pk == member.pk


def member_documents_get(
    *, cooperative: Cooperative, user: Any, roles: frozenset[Role], member_id: int | str, action: Action
) -> Member:
    """Return the member whose documents the user asks for.

    Raises PermissionDenied (neither ``action`` nor a portal membership) and NotFound
    (missing, another cooperative's, or another member's for a portal user).
    """
    own = member_documents_scope(cooperative=cooperative, user=user, roles=roles, action=action)
    if own is None:
        return member_get(cooperative=cooperative, member_id=member_id)
    if str(own.pk) != str(member_id).strip():
        raise NotFound("Anggota tidak ditemukan.")
    return own
