"""Writes for accounts: profile, invite codes, care links, access events, account deletion."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
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


# --- account deletion -----------------------------------------------------------------------
def _deletion_grace() -> timedelta:
    return timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)


def account_deletion_request(*, user: User, password: str, now: datetime | None = None) -> User:
    """Start deleting an account. At once: every session ends, care links end (a patient's
    clinicians lose access; a clinician's patients are told by email), open invites are
    cancelled and export files about or made by the user are deleted. Logging in before
    `deletion_due_at` restores the account; after it, the beat task deletes it for good."""
    if not user.check_password(password):
        raise ValidationFailed.field("password", "This is not your password.", "wrong_password")
    now = now or timezone.now()
    with transaction.atomic():
        claimed = User.objects.filter(id=user.id, deletion_requested_at__isnull=True).update(
            deletion_requested_at=now, deletion_due_at=now + _deletion_grace()
        )
        user.refresh_from_db()
        if not claimed:
            return user  # asked twice: the first request's dates stand
        links = CareLink.objects.active().filter(Q(patient=user) | Q(clinician=user)).select_related("patient")
        told = [link.patient for link in links if link.clinician_id == user.id]
        links.update(revoked_at=now)
        InviteCode.objects.filter(patient=user, redeemed_at__isnull=True, cancelled_at__isnull=True).update(
            cancelled_at=now
        )
        from diary.exports.models import ExportJob

        for job in ExportJob.objects.filter(Q(patient=user) | Q(requested_by=user)):
            job.delete()  # the file goes with the row
    transaction.on_commit(lambda: _tell_about_deletion(user, told))
    return user


def _tell_about_deletion(user: User, patients: list[User]) -> None:
    due = timezone.localtime(user.deletion_due_at, user.zone)
    send_mail(
        "Your account will be deleted",
        (
            f"You asked to delete your Spasm diary account ({user.email}). It will be deleted for good "
            f"on {due:%d %B %Y at %H:%M} ({user.time_zone}), with everything in it.\n\n"
            "Changed your mind? Log in before then and your account is restored as it was "
            "(care links that ended stay ended: share a new invite code)."
        ),
        None,
        [user.email],
        fail_silently=True,
    )
    who = user.name or user.email
    for patient in patients:
        send_mail(
            f"{who} no longer has access to your diary",
            (
                f"{who} ({user.email}) is deleting their Spasm diary account, so their access to your diary "
                "has ended. Your diary is unchanged. To share it with another clinician, create an invite "
                "code in the app (Care team)."
            ),
            None,
            [patient.email],
            fail_silently=True,
        )


def account_deletion_cancel(*, user: User) -> bool:
    """Logging in during the grace period restores the account (links stay ended)."""
    if user.deletion_requested_at is None:
        return False
    restored = User.objects.filter(id=user.id, deletion_requested_at__isnull=False).update(
        deletion_requested_at=None, deletion_due_at=None
    )
    user.deletion_requested_at = user.deletion_due_at = None
    return bool(restored)


def account_delete_now(*, user_id: uuid.UUID) -> bool:
    """Delete the account and everything that belongs to it, for good. The access events
    about a patient are kept without identity (patient null, one random pseudonym for all
    of them); events a clinician made keep who it was, as text, in the patient's log."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(id=user_id, deletion_requested_at__isnull=False).first()
        if user is None:
            return False  # restored meanwhile, or already gone
        AccessEvent.objects.filter(patient=user).update(patient=None, subject_pseudonym=uuid.uuid4())
        label = f"{user.name} ({user.email})" if user.name else user.email
        AccessEvent.objects.filter(clinician=user).update(
            clinician=None, clinician_label=f"{label}, account since deleted"[:300]
        )
        # Links before the user: a link PROTECTs the invite code it was made from.
        CareLink.objects.filter(Q(patient=user) | Q(clinician=user)).delete()
        user.delete()
    _delete_sessions_of(user_id)
    return True


def _delete_sessions_of(user_id: uuid.UUID) -> None:
    # Sessions are already refused (the auth hash changed when deletion was asked for);
    # this removes the rows that still name the user. Sessions have no user column, so
    # each live one is decoded: acceptable for the hourly task's few deletions.
    from django.contrib.sessions.models import Session

    wanted = str(user_id)
    stale = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == wanted
    ]
    Session.objects.filter(pk__in=stale).delete()


def accounts_delete_due(*, now: datetime | None = None) -> int:
    due = User.objects.filter(deletion_due_at__lte=now or timezone.now()).values_list("id", flat=True)
    return sum(account_delete_now(user_id=user_id) for user_id in list(due))
