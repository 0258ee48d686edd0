"""Diary rows. Every row has a client-generated UUID primary key, so a phone can log
offline and retry safely, and keeps the patient's local date (and the zone it was
computed in) as of logging, so a later time-zone change does not move it."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from diary import labs, units


class DiaryEntry(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField(db_index=True)
    time_zone = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(help_text="When the patient logged it on their device.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    notes = models.TextField(blank=True, max_length=2000)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.id} ({self.local_date})"

    @property
    def warnings(self) -> list[dict[str, str]]:
        """Advice attached by the service that saved the row (not stored)."""
        return getattr(self, "_warnings", [])


class SpasmEpisode(DiaryEntry):
    class MuscleGroup(models.TextChoices):
        CALF = "calf"
        THIGH = "thigh"
        FOOT = "foot"
        HAND = "hand"
        BACK = "back"
        NECK = "neck"
        OTHER = "other"

    class Side(models.TextChoices):
        LEFT = "left"
        RIGHT = "right"
        BOTH = "both"
        NOT_APPLICABLE = "n/a", "Not applicable"

    class Trigger(models.TextChoices):
        EXERCISE = "exercise"
        REST = "rest"
        NIGHT = "night"
        DEHYDRATION = "dehydration"
        UNKNOWN = "unknown"

    occurred_at = models.DateTimeField()
    muscle_group = models.CharField(max_length=16, choices=MuscleGroup.choices)
    side = models.CharField(max_length=8, choices=Side.choices, default=Side.NOT_APPLICABLE)
    severity = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    duration_seconds = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(24 * 3600)]
    )
    during_sleep = models.BooleanField(default=False)
    woke_patient = models.BooleanField(default=False)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.UNKNOWN)
    # Stored, like local_date, in the zone the patient was in: trends count it without
    # converting every row's time at read time.
    night = models.BooleanField(default=False, help_text="During sleep, or between 22:00 and 06:00 local time.")

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["patient", "local_date"], name="episode_patient_date")]
        constraints = [models.CheckConstraint(condition=Q(severity__lte=10), name="episode_severity_0_10")]


class DailyCheckin(DiaryEntry):
    """One per patient per local date. `no_cramps` is the explicit zero: a day with no
    entry at all is missing, not zero. It never stands beside an episode of the same date
    (the episode is the more specific fact: `diary.services` clears the statement)."""

    weakness = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    fatigue = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    bone_pain = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    twitching = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(10)])
    no_cramps = models.BooleanField(default=False)

    class Meta:
        ordering = ["-local_date"]
        constraints = [models.UniqueConstraint(fields=["patient", "local_date"], name="checkin_one_per_day")]


class SunExposure(DiaryEntry):
    class Skin(models.TextChoices):
        FACE_HANDS = "face_hands", "Face and hands"
        ARMS = "arms"
        LEGS = "legs"
        TORSO = "torso"

    started_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(validators=[MaxValueValidator(1440)])
    skin_exposed = models.JSONField(default=list)
    sunscreen = models.BooleanField(default=False)
    uv_index = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["patient", "local_date"], name="sun_patient_date")]


Supplement = models.TextChoices(
    "Supplement",
    [(s, s) for s in units.SUPPLEMENTS],
)


class SupplementRegimen(DiaryEntry):
    class Frequency(models.TextChoices):
        DAILY = "daily"
        WEEKLY = "weekly"
        WEEKDAYS = "weekdays", "Chosen weekdays"

    class Phase(models.TextChoices):
        LOADING = "loading"
        MAINTENANCE = "maintenance"

    supplement = models.CharField(max_length=16, choices=Supplement.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    unit = models.CharField(max_length=8)
    amount_normalised = models.FloatField(help_text="IU for vitamin D, mg for minerals.")
    normalised_unit = models.CharField(max_length=4)
    frequency = models.CharField(max_length=16, choices=Frequency.choices)
    weekdays = models.JSONField(default=list, help_text="ISO weekdays 1=Monday..7=Sunday.")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.MAINTENANCE)

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["patient", "supplement", "start_date"], name="regimen_patient_start")]

    @property
    def description(self) -> str:
        """ "vitamin D3 50,000 IU weekly": how flags, caveats and reports name a regimen."""
        amount = f"{Decimal(self.amount).normalize():,f}"
        unit = "µg" if self.unit == "ug" else self.unit
        how = {"daily": "daily", "weekly": "weekly"}.get(self.frequency, "on chosen weekdays")
        return f"{units.SUPPLEMENT_NAMES.get(self.supplement, self.supplement)} {amount} {unit} {how}"

    @property
    def daily_equivalent(self) -> float:
        """Per-day amount in the normalised unit: 50,000 IU weekly is about 7,143 IU a day."""
        return units.daily_equivalent(self.amount_normalised, self.frequency, self.weekdays)


class SupplementDose(DiaryEntry):
    taken_at = models.DateTimeField()
    supplement = models.CharField(max_length=16, choices=Supplement.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    unit = models.CharField(max_length=8)
    amount_normalised = models.FloatField()
    normalised_unit = models.CharField(max_length=4)
    regimen = models.ForeignKey(
        SupplementRegimen, on_delete=models.SET_NULL, null=True, blank=True, related_name="doses"
    )

    class Meta:
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["patient", "local_date"], name="dose_patient_date")]


Analyte = models.TextChoices("Analyte", [(a, a) for a in units.ANALYTES])


class LabResult(DiaryEntry):
    class Category(models.TextChoices):
        DEFICIENT = "deficient"
        INSUFFICIENT = "insufficient"
        SUFFICIENT = "sufficient"
        HIGH = "high"

    analyte = models.CharField(max_length=16, choices=Analyte.choices)
    value = models.DecimalField(max_digits=10, decimal_places=3)
    unit = models.CharField(max_length=8)
    value_normalised = models.FloatField()
    normalised_unit = models.CharField(max_length=8)
    category = models.CharField(max_length=16, choices=Category.choices, blank=True)
    collected_on = models.DateField()
    # The interval printed on the patient's report, in the unit entered; it wins over the
    # default adult interval (diary.labs) when both ends are given.
    reference_low = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    reference_high = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    interpretation = models.CharField(
        max_length=8, blank=True, help_text="low / normal / high against the report's or the default interval."
    )

    class Meta:
        ordering = ["-collected_on"]
        indexes = [models.Index(fields=["patient", "analyte", "collected_on"], name="lab_patient_analyte")]

    @property
    def interval(self) -> labs.Interval:
        """The report's own range (normalised) when it gave both ends, else the adult default."""
        low = high = None
        if self.reference_low is not None and self.reference_high is not None:
            low = units.normalise_lab(self.analyte, self.reference_low, self.unit)
            high = units.normalise_lab(self.analyte, self.reference_high, self.unit)
        return labs.interval_for(self.analyte, low, high)

    @property
    def reading(self) -> labs.Reading:
        return labs.reading_of(self.analyte, self.value_normalised, self.collected_on, self.interval)


class DoseSkip(DiaryEntry):
    """The patient said a scheduled dose was skipped (one tap on "Skip", a reason if they
    like): the slot is "skipped", not "missed" (diary.insights.adherence)."""

    class Reason(models.TextChoices):
        FORGOT = "forgot", "Forgot"
        SIDE_EFFECTS = "side_effects", "Side effects"
        RAN_OUT = "ran_out", "Ran out"
        TOLD_TO_STOP = "told_to_stop", "Told to stop"
        OTHER = "other", "Other"

    regimen = models.ForeignKey(SupplementRegimen, on_delete=models.CASCADE, related_name="skips")
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.OTHER)

    class Meta:
        ordering = ["-local_date"]
        constraints = [models.UniqueConstraint(fields=["regimen", "local_date"], name="skip_one_per_slot")]


class ReportedDay(models.Model):
    """A local date on which the patient said something about cramps: at least one episode,
    or an explicit "no cramps" statement (DOMAIN.md, "Reported day"). Nothing else makes a
    day reported: a dose, sun or a check-in without the statement says nothing about cramps.
    Rates are per reported day; a day that is not reported is missing, not zero. Kept by the
    entry services (`diary.services.reported_days_refresh` is the definition), so trends
    count one indexed table."""

    id = models.BigAutoField(primary_key=True)
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "local_date"], name="reported_day_once")]

    def __str__(self) -> str:
        return f"{self.patient_id} {self.local_date}"


# The dashboard's stored summaries live beside the dashboard's code; importing them here
# keeps them in this app (label "diary", table diary_patientsummary) for Django.
from diary.dashboard.models import PatientSummary  # noqa: E402, F401
from diary.exports.models import ExportJob  # noqa: E402, F401
from diary.imports.models import ImportJob  # noqa: E402, F401
