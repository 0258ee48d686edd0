"""Diary endpoints. Each kind is served on the owner's path (read and write) and on a
linked clinician's path (read only); `accounts.scoping.SubjectMixin` decides whose rows."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPatient
from accounts.scoping import SubjectMixin
from diary import selectors
from diary.entries import KINDS, REGIMEN, Kind
from diary.services import entries as services
from diary.templates_regimen import REGIMEN_TEMPLATES

_WRITE_STATUS = {"created": status.HTTP_201_CREATED, "updated": status.HTTP_200_OK, "unchanged": status.HTTP_200_OK}


def _written(kind: Kind, outcome: services.Outcome) -> Response:
    return Response(kind.output(outcome.instance).data, status=_WRITE_STATUS[outcome.status])


class EntryListApi(SubjectMixin, GenericAPIView):
    kind: Kind

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return self.kind.model.objects.none()
        return selectors.entry_list(kind=self.kind, patient=self.get_subject())

    def get(self, request, patient_id=None):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.kind.output(page, many=True).data)


class EntryListCreateApi(EntryListApi):
    def post(self, request):
        """Create an entry. Sending the same id again answers the stored row (200) when the
        content matches, 409 when it differs."""
        outcome = services.entry_create(kind=self.kind, patient=self.get_subject(), data=request.data)
        return _written(self.kind, outcome)


class EntryDetailApi(SubjectMixin, GenericAPIView):
    kind: Kind

    def get_object(self):
        return selectors.entry_get(kind=self.kind, patient=self.get_subject(), entry_id=self.kwargs["entry_id"])

    def get(self, request, entry_id, patient_id=None):
        return Response(self.kind.output(self.get_object()).data)


class EntryDetailWriteApi(EntryDetailApi):
    def put(self, request, entry_id):
        """Replace the entry, or create it under this id when the id is new (201)."""
        outcome = services.entry_put(kind=self.kind, patient=self.get_subject(), entry_id=entry_id, data=request.data)
        return _written(self.kind, outcome)

    def patch(self, request, entry_id):
        outcome = services.entry_patch(
            kind=self.kind, patient=self.get_subject(), instance=self.get_object(), data=request.data
        )
        return _written(self.kind, outcome)

    def delete(self, request, entry_id):
        services.entry_delete(instance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _schema_for(cls: type, kind: Kind, *, clinician: bool) -> type:
    """Name each generated view's operations after its kind in the OpenAPI schema."""
    tags = [f"diary: {kind.plural}"]
    prefix = f"clinician_{kind.plural}" if clinician else kind.plural
    methods: dict = {}
    if issubclass(cls, EntryDetailApi):
        methods["get"] = extend_schema(tags=tags, operation_id=f"{prefix}_retrieve", responses=kind.output)
    else:
        methods["get"] = extend_schema(tags=tags, operation_id=f"{prefix}_list", responses=kind.output(many=True))
    if issubclass(cls, EntryListCreateApi):
        methods["post"] = extend_schema(
            tags=tags,
            operation_id=f"{prefix}_create",
            request=kind.input,
            responses={
                201: kind.output,
                200: kind.output,
                409: OpenApiResponse(description="Same id, different content"),
            },
        )
    if issubclass(cls, EntryDetailWriteApi):
        methods["put"] = extend_schema(
            tags=tags, operation_id=f"{prefix}_put", request=kind.input, responses={200: kind.output, 201: kind.output}
        )
        methods["patch"] = extend_schema(
            tags=tags, operation_id=f"{prefix}_patch", request=kind.input, responses=kind.output
        )
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
        "filterset_class": selectors.filterset_for(kind),
        "pagination_ordering": kind.ordering,
        "serializer_class": kind.output,
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
class SyncItemDoc(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS))
    id = serializers.UUIDField()
    recorded_at = serializers.DateTimeField(required=False)
    payload = serializers.DictField(help_text="The entry's fields, as for the kind's POST.")


class SyncInput(serializers.Serializer):
    # Items stay loose here: one bad item is reported on its own, never fails the batch.
    items = serializers.ListField(child=serializers.JSONField(), min_length=1, max_length=services.SYNC_MAX_ITEMS)


class SyncRequestDoc(serializers.Serializer):
    items = SyncItemDoc(many=True)


class SyncResultOutput(serializers.Serializer):
    index = serializers.IntegerField()
    kind = serializers.CharField(allow_null=True)
    id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "unchanged", "conflict", "invalid"])
    code = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    entry = serializers.DictField(allow_null=True)
    warnings = serializers.ListField(child=serializers.DictField())


class SyncOutput(serializers.Serializer):
    results = SyncResultOutput(many=True)
    summary = serializers.DictField(child=serializers.IntegerField())


class SyncApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(request=SyncRequestDoc, responses=SyncOutput, tags=["diary: sync"])
    def post(self, request):
        """Store a batch of up to 500 entries made offline. Each item is answered on its own:
        created, unchanged (already stored), conflict (same id, other content) or invalid
        (with field errors). Valid items are stored even when others fail."""
        serializer = SyncInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = services.sync_batch(patient=request.user, items=serializer.validated_data["items"])
        summary = {name: 0 for name in ("created", "unchanged", "conflict", "invalid")}
        for result in results:
            summary[result.status] += 1
        return Response(SyncOutput({"results": results, "summary": summary}).data)


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


class RegimenFromTemplateInput(serializers.Serializer):
    id = serializers.UUIDField(required=False)
    template = serializers.ChoiceField(choices=list(REGIMEN_TEMPLATES))
    start_date = serializers.DateField()
    weekday = serializers.IntegerField(
        min_value=1, max_value=7, required=False, help_text="For weekly templates; default: the start date's weekday."
    )


class RegimenTemplateListApi(APIView):
    @extend_schema(responses=RegimenTemplateOutput(many=True), tags=["diary: regimens"])
    def get(self, request):
        return Response(RegimenTemplateOutput([t.as_dict() for t in REGIMEN_TEMPLATES.values()], many=True).data)


class RegimenFromTemplateApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        request=RegimenFromTemplateInput, responses={201: REGIMEN.output, 200: REGIMEN.output}, tags=["diary: regimens"]
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
