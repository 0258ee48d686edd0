"""What the dashboard flags, each from one patient's stored summary: one function, so the
dashboard row, its sort order and any report agree."""

from __future__ import annotations

from datetime import date

from diary.dashboard.rows import Summary

NO_ENTRIES_DAYS = 7
LOW_ADHERENCE = 0.8
VITAMIN_D_LOW_NG_ML = 20.0
VITAMIN_D_HIGH_NG_ML = 100.0

FLAG_NO_ENTRIES = "no_entries_7_days"
FLAG_WORSENING = "worsening"
FLAG_LOW_ADHERENCE = "low_adherence"
FLAG_VITAMIN_D_LOW = "vitamin_d_below_20"
FLAG_VITAMIN_D_HIGH = "vitamin_d_above_100"
FLAGS = (FLAG_NO_ENTRIES, FLAG_WORSENING, FLAG_LOW_ADHERENCE, FLAG_VITAMIN_D_LOW, FLAG_VITAMIN_D_HIGH)


def flags_for(summary: Summary | None, today: date) -> list[str]:
    if summary is None:
        return []
    flags = []
    if summary.last_entry_date is None or (today - summary.last_entry_date).days >= NO_ENTRIES_DAYS:
        flags.append(FLAG_NO_ENTRIES)
    if summary.verdict == "worsened":
        flags.append(FLAG_WORSENING)
    if summary.adherence_28 is not None and summary.adherence_28 < LOW_ADHERENCE:
        flags.append(FLAG_LOW_ADHERENCE)
    if summary.vitamin_d_ng_ml is not None and summary.vitamin_d_ng_ml < VITAMIN_D_LOW_NG_ML:
        flags.append(FLAG_VITAMIN_D_LOW)
    if summary.vitamin_d_ng_ml is not None and summary.vitamin_d_ng_ml > VITAMIN_D_HIGH_NG_ML:
        flags.append(FLAG_VITAMIN_D_HIGH)
    return flags
