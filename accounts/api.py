"""Thin API views: parse, call one service or selector, shape output."""

from __future__ import annotations

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import AccessEvent, CareLink, InviteCode
from accounts.permissions import IsClinicianWithMFA, IsPatient
from accounts.scoping import SubjectMixin
from accounts.serializers import (
    AccessEventOutput,
    AccountDeletionInput,
    AccountDeletionOutput,
    CareLinkOutput,
    ClinicianLinkOutput,
    InviteOutput,
    MeInput,
    MeOutput,
    PatientProfileOutput,
    RedeemInput,
)


class MeApi(APIView):
    @extend_schema(responses=MeOutput, operation_id="me_retrieve")
    def get(self, request):
        return Response(MeOutput(request.user).data)

    @extend_schema(request=MeInput, responses=MeOutput, operation_id="me_update")
    def patch(self, request):
        serializer = MeInput(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, data=serializer.validated_data)
        return Response(MeOutput(user).data)


class AccessLogApi(GenericAPIView):
    permission_classes = [IsPatient]
    serializer_class = AccessEventOutput
    queryset = AccessEvent.objects.none()  # for the schema; get_queryset scopes to the viewer
    pagination_ordering = ("-occurred_at", "-id")

    def get_queryset(self):
        return selectors.access_event_list(patient=self.request.user)

    @extend_schema(responses=AccessEventOutput(many=True), operation_id="access_log_list")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(AccessEventOutput(page, many=True).data)


class InviteListCreateApi(GenericAPIView):
    permission_classes = [IsPatient]
    serializer_class = InviteOutput
    queryset = InviteCode.objects.none()
    pagination_ordering = ("-created_at", "-id")

    def get_queryset(self):
        return selectors.invite_list(patient=self.request.user)

    @extend_schema(responses=InviteOutput(many=True), operation_id="invites_list")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InviteOutput(page, many=True).data)

    @extend_schema(request=None, responses={201: InviteOutput})
    def post(self, request):
        invite = services.invite_create(patient=request.user)
        return Response(InviteOutput(invite).data, status=status.HTTP_201_CREATED)


class InviteCancelApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(request=None, responses=InviteOutput)
    def post(self, request, invite_id: int):
        invite = services.invite_cancel(patient=request.user, invite_id=invite_id)
        return Response(InviteOutput(invite).data)


class RedeemThrottle(UserRateThrottle):
    """Per clinician. A clinician no operator has verified yet (anyone can sign up as one)
    gets the tighter `<scope>_unverified` budget."""

    verified_scope = "invite_redeem"

    def __init__(self) -> None:
        pass  # the rate depends on who asks: chosen in allow_request

    def allow_request(self, request, view) -> bool:
        verified = getattr(request.user, "is_verified_clinician", False)
        self.scope = self.verified_scope if verified else f"{self.verified_scope}_unverified"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class RedeemHourlyThrottle(RedeemThrottle):
    verified_scope = "invite_redeem_hourly"


class InviteRedeemApi(APIView):
    permission_classes = [IsClinicianWithMFA]
    throttle_classes = [RedeemThrottle, RedeemHourlyThrottle]

    @extend_schema(request=RedeemInput, responses={201: ClinicianLinkOutput})
    def post(self, request):
        serializer = RedeemInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = services.invite_redeem(clinician=request.user, code=serializer.validated_data["code"])
        return Response(ClinicianLinkOutput(link).data, status=status.HTTP_201_CREATED)


class CareLinkListApi(GenericAPIView):
    permission_classes = [IsPatient]
    serializer_class = CareLinkOutput
    queryset = CareLink.objects.none()
    pagination_ordering = ("-created_at", "-id")

    def get_queryset(self):
        return selectors.care_link_list_for_patient(patient=self.request.user)

    @extend_schema(responses=CareLinkOutput(many=True), operation_id="care_links_list")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CareLinkOutput(page, many=True).data)


class CareLinkRevokeApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(request=None, responses=CareLinkOutput)
    def post(self, request, link_id: int):
        link = services.care_link_revoke(patient=request.user, link_id=link_id)
        return Response(CareLinkOutput(link).data)


class PatientProfileApi(SubjectMixin, APIView):
    """A linked clinician reads the patient's profile (age and time zone matter clinically)."""

    access_resource = "profile"

    @extend_schema(responses=PatientProfileOutput, operation_id="clinician_patient_profile")
    def get(self, request, patient_id):
        return Response(PatientProfileOutput(self.get_subject()).data)


class AccountDeletionApi(APIView):
    @extend_schema(request=AccountDeletionInput, responses={202: AccountDeletionOutput}, operation_id="me_delete")
    def post(self, request):
        """Delete my account (patients and clinicians). Every session ends now, and so do care
        links; the account and everything in it is deleted for good after the grace period
        (ACCOUNT_DELETION_GRACE_DAYS, 7 by default) unless you log in before then."""
        serializer = AccountDeletionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.account_deletion_request(user=request.user, password=serializer.validated_data["password"])
        logout(request._request)
        return Response(AccountDeletionOutput(user).data, status=status.HTTP_202_ACCEPTED)
