"""Issue 13's figures: a 10,000-row CSV import (target: under 10 s), the export of a
five-year diary in each format, and the visit report's PDF. PostgreSQL, production settings,
in this process (the work a Celery worker does, without the broker)."""

from __future__ import annotations

import csv
import io
import random
import time
from datetime import date, timedelta

from bench.common import bench_database, setup_django

ROWS = 10_000


def csv_rows(start: date, count: int, rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "kind",
            "date",
            "time",
            "muscle_group",
            "side",
            "severity",
            "fatigue",
            "no_cramps",
            "supplement",
            "amount",
            "unit",
        ]
    )
    for i in range(count):
        day = start + timedelta(days=i // 4)
        kind = ("episode", "episode", "checkin", "dose")[i % 4]
        if kind == "episode":
            clock = f"{(i % 2) * 12 + 2:02d}:{i % 60:02d}"
            writer.writerow(
                [
                    kind,
                    day,
                    clock,
                    rng.choice(["calf", "thigh", "foot"]),
                    "left",
                    rng.randint(0, 10),
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
        elif kind == "checkin":
            writer.writerow([kind, day, "", "", "", "", rng.randint(0, 10), "no", "", "", ""])
        else:
            writer.writerow([kind, day, "08:00", "", "", "", "", "", "vitamin_d3", 1000, "IU"])
    return out.getvalue().encode()


def time_import(patient, body: bytes) -> tuple[float, dict, list[int]]:
    from diary.imports import services
    from diary.imports.models import ImportJob
    from diary.imports.tasks import run_import

    job = services.import_request(patient=patient, filename="bench.csv", data=body, format="csv")
    progress: list[int] = []
    real_store = services.import_store

    def watching(*, job, **kwargs):
        real_store(job=job, **kwargs)
        progress.append(ImportJob.objects.get(id=job.id).done)

    services.import_store = watching
    started = time.perf_counter()
    run_import(str(job.id))
    elapsed = time.perf_counter() - started
    services.import_store = real_store
    job.refresh_from_db()
    return elapsed, {"created": job.created, "unchanged": job.unchanged, "failed": job.failed}, progress


def run() -> None:
    print("Import, export and visit report (issue 13), PostgreSQL, production settings, one process")
    setup_django(bench_database("bench_imports"))
    from django.conf import settings
    from django.utils import timezone

    from accounts.models import User
    from bench.trends import _rows, _save
    from diary.exports.models import ExportJob
    from diary.exports.services import export_build
    from diary.reports import context, selectors

    rng = random.Random(13)
    importer = User.objects.create_user(
        email="importer@bench.test", password="bench-password-2026", time_zone="Europe/London"
    )
    body = csv_rows(date(2015, 1, 1), ROWS, rng)
    elapsed, counts, progress = time_import(importer, body)
    verdict = "ok" if elapsed < 10 else "MISSED"
    print(
        f"  import of a {ROWS:,}-row CSV ({len(body) / 1e6:.1f} MB): {elapsed:.2f} s (target < 10 s: {verdict}); {counts}"
    )
    print(f"  progress reported {len(progress)} times: {progress[:3]} ... {progress[-2:]}")
    again, counts, _ = time_import(importer, body)
    print(f"  the same file again: {again:.2f} s; {counts}")

    patient = User.objects.create_user(
        email="five-years@bench.test",
        password="bench-password-2026",
        name="Five Years",
        time_zone="America/Los_Angeles",
    )
    today = timezone.localdate(timezone=patient.zone)
    _save(_rows(patient, today, 5 * 365, episodes=5000, doses=2000, sun=1500, labs=10, rng=rng))
    for fmt in ("csv", "json", "fhir"):
        job = ExportJob.objects.create(
            requested_by=patient, patient=patient, format=fmt, expires_at=timezone.now() + timedelta(hours=1)
        )
        started = time.perf_counter()
        job = export_build(export_id=job.id)
        elapsed = time.perf_counter() - started
        print(f"  export of five years ({job.done:,} rows) as {fmt}: {elapsed:.2f} s, {job.size_bytes / 1e6:.1f} MB")
        job.delete()
    for days in (84, 365):
        first = today - timedelta(days=days - 1)
        started = time.perf_counter()
        report = selectors.visit_report(patient=patient, first=first, last=today, today=today)
        html = context.render_html(context.report_context(report, viewer=patient, paper="a4"))
        built = time.perf_counter() - started
        pdf, seconds = context.render_pdf(html)
        print(
            f"  visit report, {days} days: data and HTML {built * 1000:.0f} ms, PDF {seconds:.2f} s ({len(pdf) / 1e3:.0f} kB)"
        )
    print(f"  (export files are written under {settings.MEDIA_ROOT} and deleted again)")


if __name__ == "__main__":
    run()
