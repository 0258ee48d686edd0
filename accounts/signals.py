"""Keep User.mfa_enabled equal to "has at least one allauth authenticator" (what allauth's
`is_mfa_enabled` answers with a query): every authenticator added or removed, through
allauth's flows, the admin or a test's TOTP.activate, saves or deletes a row."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import User


@receiver(post_save, sender=Authenticator, dispatch_uid="accounts-mfa-added")
@receiver(post_delete, sender=Authenticator, dispatch_uid="accounts-mfa-removed")
def _authenticators_changed(sender, instance: Authenticator, **kwargs) -> None:
    enabled = Authenticator.objects.filter(user_id=instance.user_id).exists()
    User.objects.filter(id=instance.user_id).exclude(mfa_enabled=enabled).update(mfa_enabled=enabled)
    if Authenticator.user.is_cached(instance):  # the caller's own User object, kept in step
        instance.user.mfa_enabled = enabled
