"""The Celery application. Settings come from Django's, under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("spasm_diary")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Packages inside the diary app that keep their own tasks module.
app.autodiscover_tasks(["diary.dashboard", "diary.exports", "diary.imports"])
