"""Query filters of the diary lists (`from`, `to` in the patient's own dates, and per kind)."""

from __future__ import annotations

import django_filters

from diary import units
from diary.kinds import Kind
from diary.models import SpasmEpisode


def _date_range_filters() -> dict[str, django_filters.Filter]:
    # `from` and `to` are the patient's own dates, inclusive. `from` is a Python keyword, so
    # these are declared by name rather than as attributes.
    return {
        "from": django_filters.DateFilter(
            field_name="local_date", lookup_expr="gte", label="From (local date, inclusive)"
        ),
        "to": django_filters.DateFilter(field_name="local_date", lookup_expr="lte", label="To (local date, inclusive)"),
    }


def _filterset(
    name: str, model: type, extra: dict[str, django_filters.Filter] | None = None
) -> type[django_filters.FilterSet]:
    attrs = {**_date_range_filters(), **(extra or {})}
    meta = type("Meta", (), {"model": model, "fields": []})
    return type(name, (django_filters.FilterSet,), {**attrs, "Meta": meta})


def filterset_for(kind: Kind) -> type[django_filters.FilterSet]:
    extra: dict[str, django_filters.Filter] = {}
    if kind.name == "episode":
        extra = {
            "muscle_group": django_filters.MultipleChoiceFilter(choices=SpasmEpisode.MuscleGroup.choices),
            "min_severity": django_filters.NumberFilter(field_name="severity", lookup_expr="gte"),
            "during_sleep": django_filters.BooleanFilter(),
        }
    elif kind.name in ("dose", "regimen"):
        extra = {"supplement": django_filters.MultipleChoiceFilter(choices=[(s, s) for s in units.SUPPLEMENTS])}
    elif kind.name == "lab":
        extra = {"analyte": django_filters.MultipleChoiceFilter(choices=[(a, a) for a in units.ANALYTES])}
    return _filterset(f"{kind.model.__name__}Filter", kind.model, extra)
