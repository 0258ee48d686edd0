"""Diary endpoints. Each kind is served on the owner's path (read and write) and on a
linked clinician's path (read only); `accounts.scoping.SubjectMixin` decides whose rows.
Views parse with the kind's input serializer, call one service or selector and shape the
answer with the kind's output serializer."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPatient
from accounts.scoping import SubjectMixin
from config.api.fields import BoundedDateField, StrictInput, StrictQuery
from config.api.schema import EXTRA_COMPONENTS
from diary import selectors, services
from diary.filters import filterset_for
from diary.kinds import KINDS, REGIMEN, Kind
from diary.regimen_templates import REGIMEN_TEMPLATES
from diary.serializers import INPUTS, OUTPUTS, parse_entry, parse_sync_items, validate_plan_date

_WRITE_STATUS = {"created": status.HTTP_201_CREATED, "updated": status.HTTP_200_OK, "unchanged": status.HTTP_200_OK}


def _written(kind: Kind, outcome: services.Outcome) -> Response:
    return Response(OUTPUTS[kind.name](outcome.instance).data, status=_WRITE_STATUS[outcome.status])


class EntryListApi(SubjectMixin, GenericAPIView):
    kind: Kind

    @property
    def conflict_output(self):
        return OUTPUTS[self.kind.name]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return self.kind.model.objects.none()
        return selectors.entry_list(kind=self.kind, patient=self.get_subject())

    def get(self, request, patient_id=None):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(OUTPUTS[self.kind.name](page, many=True).data)


class EntryListCreateApi(EntryListApi):
    def post(self, request):
        """Create an entry. Sending the same id again answers the stored row (200) when the
        content matches, 409 when it differs."""
        patient = self.get_subject()  # who may write before what was sent: 403, not a 400
        values, sent = parse_entry(self.kind, request.data)
        outcome = services.entry_create(
            kind=self.kind, patient=patient, values=values, entry_id=values.pop("id", None), sent=sent
        )
        return _written(self.kind, outcome)


class EntryDetailApi(SubjectMixin, GenericAPIView):
    kind: Kind

    @property
    def conflict_output(self):
        return OUTPUTS[self.kind.name]

    def get_object(self):
        return selectors.entry_get(kind=self.kind, patient=self.get_subject(), entry_id=self.kwargs["entry_id"])

    def get(self, request, entry_id, patient_id=None):
        return Response(OUTPUTS[self.kind.name](self.get_object()).data)


class EntryDetailWriteApi(EntryDetailApi):
    def put(self, request, entry_id):
        """Replace the entry, or create it under this id when the id is new (201)."""
        patient = self.get_subject()
        values, sent = parse_entry(self.kind, request.data)
        values.pop("id", None)
        outcome = services.entry_put(
            kind=self.kind, patient=patient, entry_id=entry_id, values=values, sent=sent | {"id"}
        )
        return _written(self.kind, outcome)

    def patch(self, request, entry_id):
        instance = self.get_object()
        if isinstance(request.data, dict) and "id" in request.data and str(request.data["id"]) != str(instance.id):
            raise serializers.ValidationError({"id": ["The id cannot be changed."]})
        values, _ = parse_entry(self.kind, request.data, partial_of=instance)
        values.pop("id", None)
        outcome = services.entry_update(kind=self.kind, patient=self.get_subject(), instance=instance, values=values)
        return _written(self.kind, outcome)

    def delete(self, request, entry_id):
        services.entry_delete(instance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _schema_for(cls: type, kind: Kind, *, clinician: bool) -> type:
    """Name each generated view's operations after its kind in the OpenAPI schema."""
    tags = [f"diary: {kind.plural}"]
    output, input_ = OUTPUTS[kind.name], INPUTS[kind.name]
    prefix = f"clinician_{kind.plural}" if clinician else kind.plural
    methods: dict = {}
    if issubclass(cls, EntryDetailApi):
        methods["get"] = extend_schema(tags=tags, operation_id=f"{prefix}_retrieve", responses=output)
    else:
        methods["get"] = extend_schema(tags=tags, operation_id=f"{prefix}_list", responses=output(many=True))
    if issubclass(cls, EntryListCreateApi):
        methods["post"] = extend_schema(
            tags=tags,
            operation_id=f"{prefix}_create",
            request=input_,
            responses={
                201: output,
                200: output,
                409: OpenApiResponse(description="Same id, different content"),
            },
        )
    if issubclass(cls, EntryDetailWriteApi):
        methods["put"] = extend_schema(
            tags=tags, operation_id=f"{prefix}_put", request=input_, responses={200: output, 201: output}
        )
        methods["patch"] = extend_schema(tags=tags, operation_id=f"{prefix}_patch", request=input_, responses=output)
        methods["delete"] = extend_schema(tags=tags, operation_id=f"{prefix}_delete", responses={204: None})
    for method, decorator in methods.items():
        # Wrap a fresh function per class so the decorators do not pile up on the base's.
        base = getattr(cls, method)

        def view_method(self, *args, _base=base, **kwargs):
            return _base(self, *args, **kwargs)

        view_method.__doc__ = base.__doc__
        setattr(cls, method, decorator(view_method))
    return cls


def build_views(kind: Kind) -> dict[str, type]:
    common = {
        "kind": kind,
        "access_resource": kind.plural,
        "filterset_class": filterset_for(kind),
        "pagination_ordering": kind.ordering,
        "serializer_class": OUTPUTS[kind.name],
    }
    name = kind.model.__name__
    views = {
        "list": type(f"{name}ListCreateApi", (EntryListCreateApi,), dict(common)),
        "detail": type(f"{name}DetailApi", (EntryDetailWriteApi,), dict(common)),
        "clinician_list": type(f"Clinician{name}ListApi", (EntryListApi,), dict(common)),
        "clinician_detail": type(f"Clinician{name}DetailApi", (EntryDetailApi,), dict(common)),
    }
    for key, cls in views.items():
        _schema_for(cls, kind, clinician=key.startswith("clinician"))
    return views


# --- sync -------------------------------------------------------------------------------
# An item is documented as the shape a client should send, and as "any value": the API takes
# any item and answers one that does not fit as `invalid`, on its own (an outbox with one
# corrupt entry must not block the rest). The schema says both, so that a request the API
# accepts is never one its schema forbids.
EXTRA_COMPONENTS["DiaryKindEnum"] = {"type": "string", "enum": list(KINDS)}
EXTRA_COMPONENTS["SyncItem"] = {
    "type": "object",
    "required": ["kind", "id", "payload"],
    "properties": {
        "kind": {"$ref": "#/components/schemas/DiaryKindEnum"},
        "id": {"type": "string", "format": "uuid", "description": "Client-generated; makes retries safe."},
        "recorded_at": {"type": "string", "format": "date-time"},
        "payload": {
            "type": "object",
            "additionalProperties": {},
            "description": "The entry's fields, as for the kind's POST.",
        },
    },
}
SYNC_ITEM_SCHEMA = {
    "description": (
        "An entry made offline. Any item that does not have this shape is answered `invalid` in its "
        "result; the other items are stored."
    ),
    "anyOf": [{"$ref": "#/components/schemas/SyncItem"}, {}],
}


@extend_schema_field(SYNC_ITEM_SCHEMA)
class SyncItemField(serializers.JSONField):
    pass


class SyncInput(StrictInput):
    items = serializers.ListField(
        child=SyncItemField(allow_null=True), min_length=1, max_length=services.SYNC_MAX_ITEMS
    )


class SyncResultOutput(serializers.Serializer):
    index = serializers.IntegerField()
    kind = serializers.CharField(allow_null=True)
    id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "unchanged", "conflict", "invalid"])
    code = serializers.CharField(
        allow_null=True,
        help_text="conflict: conflict (same id, other content), id_taken, checkin_exists, cramps_logged.",
    )
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    entry = serializers.DictField(allow_null=True)
    warnings = serializers.ListField(child=serializers.DictField())
    episode_ids = serializers.ListField(
        child=serializers.UUIDField(),
        allow_null=True,
        help_text="For code cramps_logged: the episodes logged on that date (a day with cramps is not cramp-free).",
    )


class SyncOutput(serializers.Serializer):
    results = SyncResultOutput(many=True)
    summary = serializers.DictField(child=serializers.IntegerField())


def _sync_result_data(result: services.SyncItemResult) -> dict:
    # The stored row: created, unchanged, or (on a conflict) the patient's own row it clashes with.
    entry = None if result.instance is None else dict(OUTPUTS[result.kind](result.instance).data)
    return {
        "index": result.index,
        "kind": result.kind,
        "id": result.id,
        "status": result.status,
        "code": result.code,
        "errors": result.errors,
        "entry": entry,
        "warnings": result.warnings,
        "episode_ids": result.episode_ids,
    }


class SyncApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(request=SyncInput, responses=SyncOutput, tags=["diary: sync"])
    def post(self, request):
        """Store a batch of up to 500 entries made offline. Each item is answered on its own:
        created, unchanged (already stored), conflict (same id, other content) or invalid
        (with field errors). Valid items are stored even when others fail."""
        serializer = SyncInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        parsed, refused = parse_sync_items(serializer.validated_data["items"])
        stored = services.sync_batch(patient=request.user, items=parsed)
        results = sorted(refused + stored, key=lambda result: result.index)
        summary = {name: 0 for name in ("created", "unchanged", "conflict", "invalid")}
        for result in results:
            summary[result.status] += 1
        # Built explicitly (SyncOutput documents it): 500 items through DRF's field machinery
        # twice would cost more than storing them.
        return Response({"results": [_sync_result_data(r) for r in results], "summary": summary})


# --- regimen templates ------------------------------------------------------------------
class RegimenTemplateOutput(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    supplement = serializers.CharField()
    amount = serializers.IntegerField()
    unit = serializers.CharField()
    frequency = serializers.CharField()
    phase = serializers.CharField()
    duration_weeks = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class RegimenFromTemplateInput(StrictInput):
    id = serializers.UUIDField(required=False)
    template = serializers.ChoiceField(choices=list(REGIMEN_TEMPLATES))
    # The same rules as a regimen's own start date (from 2000, at most a year ahead): a
    # template adds its duration in weeks, which overflowed at 9999-12-31.
    start_date = serializers.DateField(validators=[validate_plan_date])
    weekday = serializers.IntegerField(
        min_value=1, max_value=7, required=False, help_text="For weekly templates; default: the start date's weekday."
    )


class RegimenTemplateListApi(APIView):
    @extend_schema(responses=RegimenTemplateOutput(many=True), tags=["diary: regimens"])
    def get(self, request):
        return Response(RegimenTemplateOutput([t.as_dict() for t in REGIMEN_TEMPLATES.values()], many=True).data)


class RegimenFromTemplateApi(APIView):
    permission_classes = [IsPatient]
    conflict_output = OUTPUTS["regimen"]

    @extend_schema(
        request=RegimenFromTemplateInput,
        responses={201: OUTPUTS["regimen"], 200: OUTPUTS["regimen"]},
        tags=["diary: regimens"],
    )
    def post(self, request):
        serializer = RegimenFromTemplateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        outcome = services.regimen_from_template(
            patient=request.user,
            template_key=data["template"],
            start_date=data["start_date"],
            weekday=data.get("weekday"),
            entry_id=data.get("id"),
        )
        return _written(REGIMEN, outcome)


# --- days: what each date says about cramps -----------------------------------------------------
MAX_DAYS = 366


class DaysQuery(StrictQuery):
    to = BoundedDateField(required=False, help_text="Last date, inclusive (default: today).")

    def get_fields(self):
        # `from` is a Python keyword, so it cannot be declared as an attribute.
        return {
            **super().get_fields(),
            "from": BoundedDateField(required=False, help_text="First date, inclusive (default: 13 days back)."),
        }

    def validate(self, attrs):
        last = attrs.get("to") or self.context["today"]
        first = attrs.get("from") or last - timedelta(days=13)
        if first > last:
            raise serializers.ValidationError({"from": ["'from' is after 'to'."]})
        if (last - first).days >= MAX_DAYS:
            raise serializers.ValidationError({"from": [f"Ask for at most {MAX_DAYS} days at a time."]})
        return {"first": first, "last": last}


class DayReportOutput(serializers.Serializer):
    date = serializers.DateField(source="day")
    reported = serializers.BooleanField(
        help_text="True when the date holds an episode or an explicit 'no cramps': only such days count in rates."
    )
    episodes = serializers.IntegerField()
    no_cramps = serializers.BooleanField()


class DayListApi(SubjectMixin, APIView):
    access_resource = "diary"

    @extend_schema(
        parameters=[DaysQuery],
        responses=DayReportOutput(many=True),
        tags=["diary: days"],
        operation_id="days_list",
    )
    def get(self, request, patient_id=None):
        """Each date in the range, newest first: is it a reported day (an episode or an
        explicit "no cramps")? A date with only a dose, sun or symptom scores is not."""
        patient = self.get_subject()
        query = DaysQuery(data=request.query_params, context={"today": patient.local_today()})
        query.is_valid(raise_exception=True)
        days = selectors.day_reports(patient=patient, **query.validated_data)
        return Response(DayReportOutput(days, many=True).data)


class ClinicianDayListApi(DayListApi):
    @extend_schema(
        parameters=[DaysQuery],
        responses=DayReportOutput(many=True),
        tags=["diary: days"],
        operation_id="clinician_days_list",
    )
    def get(self, request, patient_id=None):
        return super().get(request, patient_id)


class NoCrampsApi(APIView):
    permission_classes = [IsPatient]
    conflict_output = OUTPUTS["checkin"]

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("day", OpenApiTypes.DATE, OpenApiParameter.PATH, description="The local date.")],
        responses={
            201: OUTPUTS["checkin"],
            200: OUTPUTS["checkin"],
            409: OpenApiResponse(description="cramps_logged: cramps are logged on that date (`episode_ids`)."),
        },
        tags=["diary: days"],
        operation_id="day_no_cramps",
    )
    def post(self, request, day):
        """Say "no cramps" for this date in one tap: the day's check-in says so (created when
        there is none). Saying it again answers the same check-in (200). 409 cramps_logged,
        with `episode_ids`, when cramps are logged on that date."""
        parsed = DayInput(data={"date": day}, context={"today": request.user.local_today()})
        parsed.is_valid(raise_exception=True)
        outcome = services.no_cramps_record(patient=request.user, day=parsed.validated_data["date"])
        return _written(KINDS["checkin"], outcome)


class DayInput(serializers.Serializer):
    date = serializers.DateField()

    def validate_date(self, value):
        if value > self.context["today"]:
            raise serializers.ValidationError("This date is in the future.", code="in_future")
        if value.year < 2000:
            raise serializers.ValidationError("Dates before 2000-01-01 are not accepted.", code="too_old")
        return value
