from django.urls import path

from accounts import api

urlpatterns = [
    path("me", api.MeApi.as_view(), name="me"),
    path("me/deletion", api.AccountDeletionApi.as_view(), name="me-deletion"),
    path("me/access-log", api.AccessLogApi.as_view(), name="access-log"),
    path("care/invites", api.InviteListCreateApi.as_view(), name="invite-list"),
    path("care/invites/<int:invite_id>/cancel", api.InviteCancelApi.as_view(), name="invite-cancel"),
    path("care/invites/redeem", api.InviteRedeemApi.as_view(), name="invite-redeem"),
    path("care/links", api.CareLinkListApi.as_view(), name="care-link-list"),
    path("care/links/<int:link_id>/revoke", api.CareLinkRevokeApi.as_view(), name="care-link-revoke"),
    path("clinician/patients/<uuid:patient_id>", api.PatientProfileApi.as_view(), name="clinician-patient-profile"),
]
