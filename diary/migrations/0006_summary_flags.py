from django.db import migrations, models


def mark_all_stale(apps, schema_editor):
    # Flags are new: every stored summary is recomputed by the next refresh.
    apps.get_model("diary", "PatientSummary").objects.update(stale=True)


class Migration(migrations.Migration):
    dependencies = [("diary", "0005_labs_reference_and_skips")]

    operations = [
        migrations.RenameField("patientsummary", "last_entry_date", "last_reported_day"),
        migrations.AlterField(
            model_name="patientsummary",
            name="last_reported_day",
            field=models.DateField(help_text="The last day that said something about cramps.", null=True),
        ),
        migrations.AddField(
            model_name="patientsummary",
            name="flags",
            field=models.JSONField(default=list, help_text="diary.dashboard.flags: [{code, date, text, regimen_id}]."),
        ),
        migrations.RunPython(mark_all_stale, migrations.RunPython.noop),
    ]
