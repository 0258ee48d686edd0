from __future__ import annotations

from rest_framework import serializers

from accounts.models import User, validate_time_zone
from config.api.fields import StrictInput


class MeOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=User.Role.choices)
    time_zone = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    vitamin_d_unit = serializers.ChoiceField(choices=User.VitaminDUnit.choices)
    dose_unit = serializers.ChoiceField(choices=User.DoseUnit.choices)
    mfa_enabled = serializers.BooleanField(help_text="Two-factor authentication is on.")
    date_joined = serializers.DateTimeField()


class MeInput(StrictInput):
    name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    time_zone = serializers.CharField(max_length=64, required=False, validators=[validate_time_zone])
    date_of_birth = serializers.DateField(allow_null=True, required=False)
    vitamin_d_unit = serializers.ChoiceField(choices=User.VitaminDUnit.choices, required=False)
    dose_unit = serializers.ChoiceField(choices=User.DoseUnit.choices, required=False)


class PersonOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()


class ClinicianOutput(PersonOutput):
    verified = serializers.BooleanField(
        source="is_verified_clinician",
        help_text="False until an operator has checked who this clinician is: show 'not verified' beside the name.",
    )


class InviteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=["open", "redeemed", "cancelled", "expired"])
    redeemed_at = serializers.DateTimeField(allow_null=True)


class RedeemInput(StrictInput):
    code = serializers.CharField(max_length=32)


class CareLinkOutput(serializers.Serializer):
    id = serializers.IntegerField()
    clinician = ClinicianOutput()
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class ClinicianLinkOutput(serializers.Serializer):
    id = serializers.IntegerField()
    patient = PersonOutput()
    created_at = serializers.DateTimeField()


class AccessEventOutput(serializers.Serializer):
    id = serializers.IntegerField()
    clinician = PersonOutput(allow_null=True, help_text="Null when the clinician has since deleted their account.")
    clinician_label = serializers.CharField(
        source="reader_label", help_text="Who read: the clinician's name, kept after their account is deleted."
    )
    resource = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    ip_address = serializers.IPAddressField(allow_null=True)


class PatientProfileOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()
    time_zone = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    vitamin_d_unit = serializers.ChoiceField(choices=User.VitaminDUnit.choices)
    dose_unit = serializers.ChoiceField(choices=User.DoseUnit.choices)


class AccountDeletionInput(serializers.Serializer):
    password = serializers.CharField(help_text="Your password, to confirm.", trim_whitespace=False)


class AccountDeletionOutput(serializers.Serializer):
    deletion_requested_at = serializers.DateTimeField()
    deletion_due_at = serializers.DateTimeField(help_text="Deleted for good after this unless you log in before.")
