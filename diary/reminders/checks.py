"""`manage.py check` (and so migrate, runserver, check --deploy) refuses a VAPID pair that
cannot work: push services would answer 401/403 to every reminder."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from diary.reminders.transports import vapid_problems


@register("reminders")
def vapid_keys_check(app_configs, **kwargs) -> list[Error]:
    problems = vapid_problems(
        settings.WEBPUSH_VAPID_PRIVATE_KEY, settings.WEBPUSH_VAPID_PUBLIC_KEY, settings.WEBPUSH_VAPID_SUBJECT
    )
    return [Error(problem, id=f"reminders.E00{index}") for index, problem in enumerate(problems, start=1)]
