from django.contrib import admin

from accounts.models import AccessEvent, CareLink, InviteCode, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "role", "time_zone", "is_active", "date_joined")
    list_filter = ("role", "is_active")
    search_fields = ("email", "name")
    exclude = ("password",)


@admin.register(CareLink)
class CareLinkAdmin(admin.ModelAdmin):
    list_display = ("patient", "clinician", "created_at", "revoked_at")
    raw_id_fields = ("patient", "clinician", "invite")


@admin.register(InviteCode)
class InviteCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "patient", "created_at", "expires_at", "redeemed_at")
    raw_id_fields = ("patient", "redeemed_by")


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "clinician", "patient", "resource", "ip_address")
    raw_id_fields = ("patient", "clinician")
