"""Observed days become reported days (DOMAIN.md): only an episode or an explicit "no cramps"
statement makes a day reported. A "no cramps" statement on a date that holds an episode is
cleared (the episode is the more specific fact), then the table is rebuilt from the truth."""

from django.db import migrations, models


def resolve_contradictions_and_rebuild(apps, schema_editor):
    episodes = apps.get_model("diary", "SpasmEpisode")
    checkins = apps.get_model("diary", "DailyCheckin")
    reported = apps.get_model("diary", "ReportedDay")
    episode_days = set(episodes.objects.values_list("patient_id", "local_date").distinct())
    contradicted = [
        pk
        for pk, patient_id, day in checkins.objects.filter(no_cramps=True).values_list("id", "patient_id", "local_date")
        if (patient_id, day) in episode_days
    ]
    for start in range(0, len(contradicted), 1000):
        checkins.objects.filter(id__in=contradicted[start : start + 1000]).update(no_cramps=False)
    statement_days = set(checkins.objects.filter(no_cramps=True).values_list("patient_id", "local_date"))
    reported.objects.all().delete()
    reported.objects.bulk_create(
        [reported(patient_id=patient_id, local_date=day) for patient_id, day in episode_days | statement_days],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [("diary", "0003_night_and_observed_days")]

    operations = [
        migrations.RenameModel("ObservedDay", "ReportedDay"),
        migrations.RemoveConstraint(model_name="reportedday", name="observed_day_once"),
        migrations.AddConstraint(
            model_name="reportedday",
            constraint=models.UniqueConstraint(fields=("patient", "local_date"), name="reported_day_once"),
        ),
        migrations.RunPython(resolve_contradictions_and_rebuild, migrations.RunPython.noop),
    ]
