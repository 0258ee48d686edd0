"""The dashboard's stored per-patient numbers (app label "diary": registered through
`diary.models`, so the table and migrations stay the diary app's)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PatientSummary(models.Model):
    """What the clinician dashboard shows for one patient, computed off the request path.

    A diary write marks it stale and queues a refresh; an hourly beat task also refreshes
    rows whose day has rolled over (the 28-day windows move at local midnight). The
    dashboard reads one row per patient, so it costs the same for 3 patients as for 500.
    """

    patient = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="diary_summary"
    )
    as_of = models.DateField(help_text="The patient's local date the numbers were computed for.")
    computed_at = models.DateTimeField()
    stale = models.BooleanField(default=True)
    stale_since = models.DateTimeField(null=True, help_text="When a write last made the numbers out of date.")
    last_reported_day = models.DateField(null=True, help_text="The last day that said something about cramps.")
    episodes_last_28 = models.PositiveIntegerField(default=0)
    episodes_prior_28 = models.PositiveIntegerField(default=0)
    verdict = models.CharField(max_length=20, default="not_enough_data")
    rate_ratio = models.FloatField(null=True)
    adherence_28 = models.FloatField(null=True)
    vitamin_d_ng_ml = models.FloatField(null=True)
    vitamin_d_category = models.CharField(max_length=16, blank=True)
    vitamin_d_collected_on = models.DateField(null=True)
    flags = models.JSONField(default=list, help_text="diary.dashboard.flags: [{code, date, text, regimen_id}].")
    # The dashboard sorts and filters in SQL, a page at a time: the flags' count and codes as
    # plain columns (" code code "), portable to SQLite where JSON containment is not.
    flag_count = models.PositiveSmallIntegerField(default=0)
    flag_codes = models.CharField(max_length=500, default="", blank=True)

    class Meta:
        indexes = [models.Index(fields=["stale", "as_of"], name="summary_stale_asof")]

    def __str__(self) -> str:
        return f"summary of {self.patient_id} as of {self.as_of}"
