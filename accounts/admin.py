"""The admin (off unless DJANGO_ADMIN_ENABLED; behind two factors: accounts.admin_site).

It shows, it does not forge: care links exist only from a patient's code, so they cannot be
added or edited here (staff can revoke one); invite codes cannot be made here either (a
code made by staff and redeemed by staff would be a link without the patient's consent);
access events are the patient's audit trail and cannot be added, changed or deleted.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import services
from accounts.models import AccessEvent, CareLink, InviteCode, User


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "role", "clinician_verified_at", "time_zone", "is_active", "date_joined")
    list_filter = ("role", "is_active", ("clinician_verified_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "name")
    exclude = ("password",)
    readonly_fields = ("clinician_verified_at",)
    actions = ["verify_clinicians"]

    @admin.action(description="Mark the selected clinicians as verified", permissions=["change"])
    def verify_clinicians(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        verified = [services.clinician_verify(clinician=user) for user in queryset.filter(role=User.Role.CLINICIAN)]
        self.message_user(request, f"{len(verified)} clinician(s) verified.", messages.SUCCESS)


@admin.register(CareLink)
class CareLinkAdmin(ReadOnlyAdmin):
    list_display = ("patient", "clinician", "created_at", "revoked_at")
    raw_id_fields = ("patient", "clinician", "invite")
    actions = ["revoke_links"]

    @admin.action(description="Revoke the selected care links")
    def revoke_links(self, request: HttpRequest, queryset: QuerySet[CareLink]) -> None:
        revoked = [services.care_link_revoke(patient=link.patient, link_id=link.id) for link in queryset]
        self.message_user(request, f"{len(revoked)} care link(s) revoked.", messages.SUCCESS)


@admin.register(InviteCode)
class InviteCodeAdmin(ReadOnlyAdmin):
    list_display = ("code", "patient", "created_at", "expires_at", "redeemed_at")
    raw_id_fields = ("patient", "redeemed_by")


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "clinician", "patient", "resource", "ip_address")
    raw_id_fields = ("patient", "clinician")
