"""Background work for accounts."""

from __future__ import annotations

from celery import shared_task

from accounts import services


@shared_task(ignore_result=True)
def delete_due_accounts() -> int:
    """Beat, hourly: accounts whose deletion grace period has ended are deleted for good."""
    return services.accounts_delete_due()
