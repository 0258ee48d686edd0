from __future__ import annotations

import uuid
import zoneinfo
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac


def validate_time_zone(value: str) -> None:
    # zoneinfo accepts file paths like "../etc/passwd" on some systems; the set of
    # available IANA keys is the authority.
    if value not in available_time_zones():
        raise ValidationError(
            f"{value!r} is not an IANA time zone name (for example Europe/London).", code="invalid_time_zone"
        )


_ZONES: frozenset[str] | None = None


def local_today_in(time_zone: str, now: datetime | None = None) -> date:
    """The calendar date at `now` in an IANA zone: `User.local_today`, for code that holds
    many patients' zones as plain values (the dashboard) rather than User objects."""
    return timezone.localdate(now or timezone.now(), timezone=zoneinfo.ZoneInfo(time_zone))


def available_time_zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(zoneinfo.available_timezones())
    return _ZONES


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True, role=User.Role.CLINICIAN)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        PATIENT = "patient", "Patient"
        CLINICIAN = "clinician", "Clinician"

    class VitaminDUnit(models.TextChoices):
        NG_ML = "ng/mL", "ng/mL"
        NMOL_L = "nmol/L", "nmol/L"

    class DoseUnit(models.TextChoices):
        IU = "IU", "IU"
        MICROGRAM = "ug", "µg"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    date_of_birth = models.DateField(null=True, blank=True)
    vitamin_d_unit = models.CharField(max_length=8, choices=VitaminDUnit.choices, default=VitaminDUnit.NG_ML)
    dose_unit = models.CharField(max_length=4, choices=DoseUnit.choices, default=DoseUnit.IU)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    # Kept by accounts.signals from allauth's authenticators, so the "two-factor on?" check
    # every clinician request makes reads the user row already loaded instead of a query.
    mfa_enabled = models.BooleanField(default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Anyone can sign up as a clinician: until an operator has checked who they are
    # (manage.py verify_clinician, or the admin), patients see "not verified" beside the
    # name and the invite-redeem budget is tighter.
    clinician_verified_at = models.DateTimeField(null=True, blank=True)

    # Set while a deletion waits out its grace period; logging in clears both.
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    deletion_due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["patient", "clinician"]), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_patient(self) -> bool:
        return self.role == self.Role.PATIENT

    @property
    def is_clinician(self) -> bool:
        return self.role == self.Role.CLINICIAN

    @property
    def is_verified_clinician(self) -> bool:
        return self.is_clinician and self.clinician_verified_at is not None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self, now: datetime | None = None) -> date:
        """The patient's own calendar date at `now` (default: now): the date their diary,
        their windows and their reminders are counted in."""
        return local_today_in(self.time_zone, now)

    @property
    def deletion_pending(self) -> bool:
        return self.deletion_requested_at is not None

    def get_session_auth_hash(self) -> str:
        """Django checks every session against this: asking for deletion ends every session
        (browser cookie and app token alike), and only a new login restores the account."""
        base = super().get_session_auth_hash()
        if self.deletion_requested_at is None:
            return base
        return salted_hmac(
            "accounts.User.deletion", f"{base}:{self.deletion_requested_at.isoformat()}", algorithm="sha256"
        ).hexdigest()

    def clean(self) -> None:
        super().clean()
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "Date of birth cannot be in the future."})
        if self.date_of_birth and self.date_of_birth.year < 1900:
            raise ValidationError({"date_of_birth": "Date of birth must be after 1900."})


class InviteCode(models.Model):
    """A short, single-use code a patient hands to a clinician to create a care link."""

    id = models.BigAutoField(primary_key=True)
    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invite_codes")
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="redeemed_invite_codes"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invite {self.code} for {self.patient_id}"

    @property
    def status(self) -> str:
        if self.redeemed_at:
            return "redeemed"
        if self.cancelled_at:
            return "cancelled"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class CareLinkQuerySet(models.QuerySet["CareLink"]):
    def active(self) -> CareLinkQuerySet:
        return self.filter(revoked_at__isnull=True)


class CareLink(models.Model):
    """A patient's consent for one clinician to read their diary, until revoked."""

    id = models.BigAutoField(primary_key=True)
    patient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="clinician_links")
    clinician = models.ForeignKey(User, on_delete=models.CASCADE, related_name="patient_links")
    invite = models.OneToOneField(InviteCode, on_delete=models.PROTECT, related_name="care_link")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One live link per pair: a second code for the same clinician is refused,
            # while revoked history stays for the record.
            models.UniqueConstraint(
                fields=["patient", "clinician"],
                condition=Q(revoked_at__isnull=True),
                name="carelink_one_active_per_pair",
            ),
        ]
        indexes = [
            models.Index(
                fields=["clinician", "patient"], condition=Q(revoked_at__isnull=True), name="carelink_active_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clinician_id} -> {self.patient_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AccessEvent(models.Model):
    """One clinician read of a patient's data: the patient's audit trail.

    Outlives both people: when the patient's account is deleted the event keeps no link to
    them (patient null, a random pseudonym shared by that patient's events only); when the
    clinician's is, `clinician_label` keeps who read, for the patient's own log."""

    id = models.BigAutoField(primary_key=True)
    patient = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="access_events")
    subject_pseudonym = models.UUIDField(
        null=True, blank=True, help_text="Set when the patient's account is deleted; random, not derived from them."
    )
    clinician = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="access_events_made"
    )
    clinician_label = models.CharField(
        max_length=300, blank=True, help_text="Who read, kept when the clinician's account is deleted."
    )
    resource = models.CharField(max_length=64)
    occurred_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["patient", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.clinician_id} read {self.resource} of {self.patient_id}"

    @property
    def reader_label(self) -> str:
        """Who read, as the patient's log names them: the clinician's name (or email) while
        the account exists, the kept label after it is deleted."""
        if self.clinician is not None:
            return self.clinician.name or self.clinician.email
        return self.clinician_label
