"""Query filters of the diary lists (`from`, `to` in the patient's own dates, and per kind)."""

from __future__ import annotations

import django_filters
from django import forms

from config.api.fields import query_problems
from diary import units
from diary.kinds import Kind
from diary.models import SpasmEpisode


class IntegerFilter(django_filters.NumberFilter):
    """A whole number, as the schema says (NumberFilter takes "0.5")."""

    field_class = forms.IntegerField


class TrueFalseField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError("Use true or false.", code="invalid")


class TrueFalseFilter(django_filters.BooleanFilter):
    """true or false, as the schema says (django-filter's ignores "AAA" and takes "1", "yes")."""

    field_class = TrueFalseField


def _date_range_filters() -> dict[str, django_filters.Filter]:
    # `from` and `to` are the patient's own dates, inclusive. `from` is a Python keyword, so
    # these are declared by name rather than as attributes.
    return {
        "from": django_filters.DateFilter(
            field_name="local_date", lookup_expr="gte", label="From (local date, inclusive)"
        ),
        "to": django_filters.DateFilter(field_name="local_date", lookup_expr="lte", label="To (local date, inclusive)"),
    }


class StrictFilterSet(django_filters.FilterSet):
    """`?to=` (empty) or `?to=a&to=b` is refused, not silently ignored or half-read:
    config.api.fields.query_problems. Multiple-choice filters take repeats, as documented."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        single = [name for name, f in self.filters.items() if not isinstance(f, django_filters.MultipleChoiceFilter)]
        for name, messages in query_problems(self.data, single).items():
            self.form.add_error(name, messages)
            valid = False
        return valid


def _filterset(
    name: str, model: type, extra: dict[str, django_filters.Filter] | None = None
) -> type[django_filters.FilterSet]:
    attrs = {**_date_range_filters(), **(extra or {})}
    meta = type("Meta", (), {"model": model, "fields": []})
    return type(name, (StrictFilterSet,), {**attrs, "Meta": meta})


def filterset_for(kind: Kind) -> type[django_filters.FilterSet]:
    extra: dict[str, django_filters.Filter] = {}
    if kind.name == "episode":
        extra = {
            "muscle_group": django_filters.MultipleChoiceFilter(choices=SpasmEpisode.MuscleGroup.choices),
            "min_severity": IntegerFilter(field_name="severity", lookup_expr="gte"),
            "during_sleep": TrueFalseFilter(),
        }
    elif kind.name in ("dose", "regimen"):
        extra = {"supplement": django_filters.MultipleChoiceFilter(choices=[(s, s) for s in units.SUPPLEMENTS])}
    elif kind.name == "lab":
        extra = {"analyte": django_filters.MultipleChoiceFilter(choices=[(a, a) for a in units.ANALYTES])}
    return _filterset(f"{kind.model.__name__}Filter", kind.model, extra)
