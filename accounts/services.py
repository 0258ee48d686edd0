"""Writes for accounts: profile, invite codes, care links, access events."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import AccessEvent, CareLink, InviteCode, User
from config.api.exceptions import Conflict, NotFound, ValidationFailed

# No 0/O, 1/I/L: codes are read aloud and typed on phones.
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 8
MAX_OPEN_INVITES = 5

PROFILE_FIELDS = ("name", "time_zone", "date_of_birth", "vitamin_d_unit", "dose_unit")


def normalise_invite_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def user_update(*, user: User, data: dict[str, Any]) -> User:
    changed = [field for field in PROFILE_FIELDS if field in data]
    for field in changed:
        setattr(user, field, data[field])
    try:
        user.full_clean(exclude=["password"])
    except DjangoValidationError as exc:
        raise ValidationFailed.from_django(exc) from None
    user.save(update_fields=changed)
    return user


def invite_create(*, patient: User) -> InviteCode:
    now = timezone.now()
    open_count = InviteCode.objects.filter(
        patient=patient, redeemed_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now
    ).count()
    if open_count >= MAX_OPEN_INVITES:
        # The request is fine; the patient's open codes are what stands in the way: a conflict
        # with the current state, not a malformed request.
        raise Conflict(
            f"You already have {MAX_OPEN_INVITES} unused codes. Cancel one or wait for it to expire.",
            code="too_many_open_invites",
        )
    for _ in range(5):
        code = "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
        try:
            with transaction.atomic():
                return InviteCode.objects.create(
                    patient=patient, code=code, created_at=now, expires_at=now + settings.INVITE_CODE_TTL
                )
        except IntegrityError:  # a collision in 31^8 codes: draw again
            continue
    raise RuntimeError("Could not draw a unique invite code.")


def invite_cancel(*, patient: User, invite_id: int) -> InviteCode:
    invite = InviteCode.objects.filter(patient=patient, id=invite_id).first()
    if invite is None:
        raise NotFound()
    InviteCode.objects.filter(id=invite.id, redeemed_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
    invite.refresh_from_db()
    return invite


def invite_redeem(*, clinician: User, code: str) -> CareLink:
    """Single use by construction: the claim is a conditional UPDATE, so two clinicians
    racing on one code cannot both win."""
    normalised = normalise_invite_code(code)
    now = timezone.now()
    invite = InviteCode.objects.select_related("patient").filter(code=normalised).first()
    if invite is None:
        raise ValidationFailed.field("code", "This code is not valid. Check it with your patient.", "invalid_code")
    if invite.redeemed_at is not None:
        raise ValidationFailed.field(
            "code", "This code has already been used. Ask your patient for a new one.", "code_used"
        )
    if invite.cancelled_at is not None:
        raise ValidationFailed.field("code", "Your patient cancelled this code.", "code_cancelled")
    if invite.expires_at <= now:
        raise ValidationFailed.field(
            "code", "This code has expired (codes last 48 hours). Ask for a new one.", "code_expired"
        )
    if CareLink.objects.active().filter(patient=invite.patient, clinician=clinician).exists():
        raise ValidationFailed.field("code", "You are already linked to this patient.", "already_linked")

    with transaction.atomic():
        claimed = InviteCode.objects.filter(
            id=invite.id, redeemed_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now
        ).update(redeemed_at=now, redeemed_by=clinician)
        if claimed != 1:
            raise ValidationFailed.field("code", "This code has already been used.", "code_used")
        try:
            with transaction.atomic():
                return CareLink.objects.create(
                    patient=invite.patient, clinician=clinician, invite=invite, created_at=now
                )
        except IntegrityError:
            raise ValidationFailed.field("code", "You are already linked to this patient.", "already_linked") from None


def care_link_revoke(*, patient: User, link_id: int) -> CareLink:
    link = CareLink.objects.select_related("clinician").filter(patient=patient, id=link_id).first()
    if link is None:
        raise NotFound()
    CareLink.objects.filter(id=link.id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db()
    return link


def access_event_record(
    *, clinician: User, patient: User | uuid.UUID, resource: str, ip_address: str | None
) -> AccessEvent:
    patient_id = patient.id if isinstance(patient, User) else patient
    return AccessEvent.objects.create(
        clinician=clinician, patient_id=patient_id, resource=resource, ip_address=ip_address or None
    )


def access_events_record(
    *, clinician: User, patient_ids: Iterable[uuid.UUID], resource: str, ip_address: str | None
) -> list[AccessEvent]:
    """One event per patient, in one INSERT (the dashboard shows many patients at once)."""
    now = timezone.now()
    return AccessEvent.objects.bulk_create(
        [
            AccessEvent(
                clinician=clinician, patient_id=patient_id, resource=resource, occurred_at=now, ip_address=ip_address
            )
            for patient_id in dict.fromkeys(patient_ids)
        ]
    )


def clinician_verify(*, clinician: User, now: datetime | None = None) -> User:
    """An operator has checked who this clinician is. Verifying twice keeps the first date."""
    if not clinician.is_clinician:
        raise ValidationFailed.field("email", f"{clinician.email} is not a clinician account.", "not_a_clinician")
    User.objects.filter(id=clinician.id, clinician_verified_at__isnull=True).update(
        clinician_verified_at=now or timezone.now()
    )
    clinician.refresh_from_db(fields=["clinician_verified_at"])
    return clinician
