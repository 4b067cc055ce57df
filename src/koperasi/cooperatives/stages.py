"""Pure rules for moving a cooperative between founding and legal stages — no database.

The programme's order is usulan → musyawarah → berbadan hukum → perizinan → pembangunan →
beroperasi (domain.md §6.4). A move goes one step forward, needs the documents listed
below issued (status ``terbit``), and cannot skip or go back. ``nonaktif`` can be entered
from any stage with a reason, and left only back to the stage it was entered from.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from koperasi.cooperatives.choices import LegalKind, Stage

STAGE_ORDER: tuple[Stage, ...] = (
    Stage.USULAN,
    Stage.MUSYAWARAH,
    Stage.BERBADAN_HUKUM,
    Stage.PERIZINAN,
    Stage.PEMBANGUNAN,
    Stage.BEROPERASI,
)

_FOUNDED = (LegalKind.MUSYAWARAH, LegalKind.AKTA_PENDIRIAN, LegalKind.SK_AHU)
_LICENSED = (*_FOUNDED, LegalKind.NIB, LegalKind.NPWP, LegalKind.REKENING_BANK)

# Documents that must be issued before a cooperative may enter each stage.
REQUIRED_DOCUMENTS: dict[Stage, tuple[LegalKind, ...]] = {
    Stage.USULAN: (),
    Stage.MUSYAWARAH: (LegalKind.MUSYAWARAH,),
    Stage.BERBADAN_HUKUM: _FOUNDED,
    Stage.PERIZINAN: _FOUNDED,
    Stage.PEMBANGUNAN: _LICENSED,
    Stage.BEROPERASI: _LICENSED,
}


@dataclass(frozen=True)
class StageRefusal:
    code: str
    message: str
    detail: dict[str, object] = field(default_factory=dict)


def _label(stage: str) -> str:
    return Stage(stage).label


def stage_move_refusal(
    *,
    current: str,
    target: str,
    issued_documents: Collection[str],
    active_units: int,
    stage_before_nonaktif: str | None = None,
    note: str = "",
) -> StageRefusal | None:
    """Return why ``current`` → ``target`` is refused, or None when the move is allowed."""
    if target not in Stage.values:
        return StageRefusal("stage_invalid", f"Tahap '{target}' tidak dikenal.")
    if target == current:
        return StageRefusal("stage_unchanged", f"Koperasi sudah berada pada tahap {_label(current)}.")
    if target == Stage.NONAKTIF:
        if not note.strip():
            return StageRefusal("stage_reason_required", "Alasan wajib diisi untuk menonaktifkan koperasi.")
        return None
    if current == Stage.NONAKTIF:
        if target != stage_before_nonaktif:
            back = _label(stage_before_nonaktif) if stage_before_nonaktif else "-"
            return StageRefusal(
                "stage_reactivate",
                f"Koperasi nonaktif hanya dapat diaktifkan kembali ke tahap sebelumnya ({back}).",
                {"allowed": stage_before_nonaktif},
            )
    else:
        here, there = STAGE_ORDER.index(Stage(current)), STAGE_ORDER.index(Stage(target))
        if there < here:
            return StageRefusal(
                "stage_backward", f"Tahap tidak dapat mundur dari {_label(current)} ke {_label(target)}."
            )
        if there > here + 1:
            following = STAGE_ORDER[here + 1]
            return StageRefusal(
                "stage_skip",
                f"Tahap tidak boleh dilompati: dari {_label(current)} harus ke {following.label} terlebih dahulu.",
                {"next": following.value},
            )
    missing = [kind for kind in REQUIRED_DOCUMENTS[Stage(target)] if kind not in issued_documents]
    if missing:
        names = ", ".join(LegalKind(k).label for k in missing)
        return StageRefusal(
            "stage_documents_missing",
            f"Dokumen belum lengkap untuk tahap {_label(target)}: {names}.",
            {"missing": [k.value for k in missing]},
        )
    if target == Stage.BEROPERASI and active_units < 1:
        return StageRefusal(
            "stage_no_active_unit", "Tahap Beroperasi membutuhkan sedikitnya satu unit usaha berstatus aktif."
        )
    return None


def next_stage(current: str) -> Stage | None:
    """Return the stage after ``current`` in the programme's order, if any."""
    if current not in STAGE_ORDER:
        return None
    index = STAGE_ORDER.index(Stage(current))
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None
