"""Issue 4's targets: trend endpoints within 3x a trivial authenticated GET for a patient
with five years of data, and the 500-patient dashboard within 5x. Median and p95 of
sequential requests to gunicorn (production settings, 2 sync workers) on PostgreSQL."""

from __future__ import annotations

import random
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as clock

from bench.common import bench_database, gunicorn, login, report, setup_django, timed_gets

PASSWORD = "bench-password-2026"
REQUESTS = 300


def _rows(patient, today: date, days: int, episodes: int, doses: int, sun: int, labs: int, rng: random.Random):
    from diary.kinds import is_night
    from diary.models import DailyCheckin, LabResult, SpasmEpisode, SunExposure, SupplementDose, SupplementRegimen

    zone = patient.zone
    first = today - timedelta(days=days - 1)
    start = today - timedelta(days=days // 2)

    def when(day: date, hour: int) -> datetime:
        return datetime.combine(day, clock(hour, rng.randrange(60)), tzinfo=zone)

    def day_at(i: int, n: int) -> date:
        return first + timedelta(days=(i * days) // n)

    common = {"patient": patient, "time_zone": patient.time_zone}
    regimen = SupplementRegimen(
        id=uuid.uuid4(),
        local_date=start,
        recorded_at=when(start, 9),
        supplement="vitamin_d3",
        amount=1000,
        unit="IU",
        amount_normalised=1000,
        normalised_unit="IU",
        frequency="daily",
        weekdays=[],
        start_date=start,
        **common,
    )
    rows = [regimen]
    for i in range(episodes):
        day = day_at(i, episodes)
        occurred, asleep = when(day, rng.choice([1, 3, 14, 23])), rng.random() < 0.6
        rows.append(
            SpasmEpisode(
                id=uuid.uuid4(),
                local_date=day,
                recorded_at=occurred,
                occurred_at=occurred,
                muscle_group="calf",
                severity=rng.randint(2, 9),
                during_sleep=asleep,
                night=is_night(occurred, patient.time_zone, during_sleep=asleep),
                **common,
            )
        )
    for i in range(days):
        day = first + timedelta(days=i)
        if rng.random() < 0.8:
            rows.append(
                DailyCheckin(
                    id=uuid.uuid4(),
                    local_date=day,
                    recorded_at=when(day, 21),
                    no_cramps=rng.random() < 0.5,
                    fatigue=rng.randint(0, 8),
                    **common,
                )
            )
    for i in range(doses):
        day = day_at(i, doses)
        rows.append(
            SupplementDose(
                id=uuid.uuid4(),
                local_date=day,
                recorded_at=when(day, 8),
                taken_at=when(day, 8),
                supplement="vitamin_d3",
                amount=1000,
                unit="IU",
                amount_normalised=1000,
                normalised_unit="IU",
                regimen=regimen if day >= start else None,
                **common,
            )
        )
    for i in range(sun):
        day = day_at(i, sun)
        rows.append(
            SunExposure(
                id=uuid.uuid4(),
                local_date=day,
                recorded_at=when(day, 13),
                started_at=when(day, 13),
                minutes=rng.choice([10, 20, 30, 60]),
                skin_exposed=["face_hands"],
                **common,
            )
        )
    for i in range(labs):
        day = day_at(i, labs)
        value = rng.uniform(12, 45)
        category = "deficient" if value < 20 else "insufficient" if value < 30 else "sufficient"
        rows.append(
            LabResult(
                id=uuid.uuid4(),
                local_date=day,
                recorded_at=when(day, 10),
                analyte="vitamin_d_25oh",
                value=round(value, 1),
                unit="ng/mL",
                value_normalised=value,
                normalised_unit="ng/mL",
                category=category,
                collected_on=day,
                **common,
            )
        )
    return rows


def _save(rows) -> None:
    """Bulk insert, keeping reported days as the entry services do."""
    from diary.models import DailyCheckin, SpasmEpisode
    from diary.services import reported_days_refresh

    by_model: dict[type, list] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, items in by_model.items():
        model.objects.bulk_create(items, batch_size=2000)
    days: dict = {}
    for row in rows:
        if isinstance(row, (SpasmEpisode, DailyCheckin)):
            days.setdefault(row.patient_id, []).append(row.local_date)
    for patient_id, dates in days.items():
        reported_days_refresh(patient_id, dates)


def seed(rng: random.Random):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP
    from django.utils import timezone

    from accounts import services as account_services
    from accounts.models import User
    from diary.dashboard.services import summaries_refresh

    patient = User.objects.create_user(
        email="five-years@bench.test", password=PASSWORD, time_zone="America/Los_Angeles"
    )
    clinician = User.objects.create_user(email="clinician@bench.test", password=PASSWORD, role=User.Role.CLINICIAN)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in (patient, clinician)]
    )
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(clinician, secret)
    today = timezone.localdate(timezone=patient.zone)
    _save(_rows(patient, today, 5 * 365, episodes=5000, doses=2000, sun=1500, labs=10, rng=rng))

    patients = User.objects.bulk_create(
        [
            User(email=f"p{i}@bench.test", time_zone=rng.choice(["Europe/London", "America/New_York", "Asia/Kolkata"]))
            for i in range(500)
        ]
    )
    rows = []
    for person in patients:
        rows += _rows(
            person, today, 120, episodes=rng.randint(10, 60), doses=rng.randint(20, 60), sun=20, labs=2, rng=rng
        )
        invite = account_services.invite_create(patient=person)
        account_services.invite_redeem(clinician=clinician, code=invite.code)
    _save(rows)
    # A bulk load leaves the planner without statistics (it estimates one row and sorts);
    # autovacuum would analyze soon after in production, so measure that steady state.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    summaries_refresh([p.id for p in patients])
    print(
        f"  seeded; 500 dashboard summaries computed in {time.perf_counter() - started:.1f} s (background work, off the request path)"
    )
    return patient, clinician, secret


def run() -> None:
    print("Trends and dashboard latency (issue 4), PostgreSQL + gunicorn, 2 sync workers")
    database_url = bench_database("bench_trends")
    setup_django(database_url)
    patient, clinician, secret = seed(random.Random(4))
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    def totp() -> str:
        return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))

    five_years_ago = (date.today() - timedelta(days=5 * 365)).isoformat()
    with gunicorn(database_url) as base:
        as_patient = login(base, patient.email, PASSWORD)
        as_clinician = login(base, clinician.email, PASSWORD, totp)
        baseline = timed_gets(f"{base}/api/v1/me", as_patient, REQUESTS)
        rows = [
            (
                "GET trends/treatment-response (5 years)",
                timed_gets(f"{base}/api/v1/trends/treatment-response", as_patient, REQUESTS),
            ),
            (
                "GET trends/spasms?bucket=week (last 26 weeks)",
                timed_gets(f"{base}/api/v1/trends/spasms?bucket=week", as_patient, REQUESTS),
            ),
            (
                "GET trends/spasms?bucket=week (all 5 years)",
                timed_gets(f"{base}/api/v1/trends/spasms?bucket=week&from={five_years_ago}", as_patient, REQUESTS),
            ),
            (
                "GET clinician/patients (500 linked, page 100)",
                timed_gets(f"{base}/api/v1/clinician/patients", as_clinician, REQUESTS),
            ),
        ]
        clinician_baseline = timed_gets(f"{base}/api/v1/me", as_clinician, REQUESTS)
    report(rows, baseline, {rows[0][0]: 3, rows[1][0]: 3, rows[2][0]: 3, rows[3][0]: 5})
    print(
        f"  (clinician's trivial GET, for the dashboard's baseline: median {sorted(clinician_baseline)[len(clinician_baseline) // 2]:.2f} ms)"
    )


if __name__ == "__main__":
    run()
