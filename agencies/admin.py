from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, Region, RoutingKey, User
from .services import (
    routing_key_check,
    routing_key_create,
    routing_key_delete,
    routing_key_normalize,
    routing_key_update,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "population"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


class RoutingKeyInline(admin.TabularInline):
    """Read-only here: routing keys are written through their own admin, which calls the services."""

    model = RoutingKey
    fields = readonly_fields = ["kind", "value", "status", "note"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "region", "parent", "is_active", "duty_phone"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["region", "parent"]
    inlines = [RoutingKeyInline]


class RoutingKeyAdminForm(forms.ModelForm):
    """Shows an overlap with another agency's key as a form error naming it (the services check
    again when saving), and lets the admin ask for a centre's approval instead."""

    request_approval = forms.BooleanField(
        label=_("申请反诈中心审批"), required=False,
        help_text=_("与其他单位的路由键重叠时勾选：保存后待反诈中心审批，审批前不参与路由。"),
    )

    class Meta:
        model = RoutingKey
        fields = ["agency", "kind", "value", "note"]

    def clean(self):
        data = super().clean()
        agency = data.get("agency") or (self.instance.agency if self.instance.agency_id else None)
        if agency is None or not data.get("kind") or not data.get("value"):
            return data
        data["value"] = routing_key_normalize(kind=data["kind"], value=data["value"])
        if self.instance.pk and (data["kind"], data["value"]) == (self.instance.kind, self.instance.value):
            return data  # a new note only: the key keeps its place (and any approval)
        routing_key_check(agency=agency, kind=data["kind"], value=data["value"],
                          request_approval=data.get("request_approval", False), exclude_pk=self.instance.pk)
        return data


@admin.register(RoutingKey)
class RoutingKeyAdmin(admin.ModelAdmin):
    """Every write goes through ``agencies.services`` (authorization, overlap check, audit, events)."""

    form = RoutingKeyAdminForm
    list_display = ["value", "kind", "agency", "status", "approved_by"]
    list_filter = ["kind", "status"]
    search_fields = ["value", "agency__name"]
    readonly_fields = ["status", "approved_by", "approved_at", "approval_reason"]

    def get_readonly_fields(self, request, obj=None):
        # The agency of a saved key never changes (the services keep it): delete and add instead.
        return self.readonly_fields + (["agency"] if obj is not None else [])

    def save_model(self, request, obj, form, change):
        fields = {"kind": obj.kind, "value": obj.value, "note": obj.note,
                  "request_approval": form.cleaned_data.get("request_approval", False)}
        if change:
            saved = routing_key_update(actor=request.user, key=RoutingKey.objects.get(pk=obj.pk), request=request, **fields)
        else:
            saved = routing_key_create(actor=request.user, agency=obj.agency, request=request, **fields)
        obj.pk, obj.status, obj.value = saved.pk, saved.status, saved.value
        obj._state.adding = False

    def delete_model(self, request, obj):
        routing_key_delete(actor=request.user, key=obj, request=request)

    def delete_queryset(self, request, queryset):
        for key in queryset:
            routing_key_delete(actor=request.user, key=key, request=request)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """The superuser's view of every agency's users. Users are disabled, never deleted (the
    audit log keeps naming them); agency admins manage theirs in the console."""

    list_display = ["username", "first_name", "agency", "role", "is_service_account", "is_active"]
    list_filter = ["role", "agency__kind", "is_service_account", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("所属单位"), {"fields": ("agency", "role", "phone", "is_service_account")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("所属单位"), {"fields": ("agency", "role")}),
    )
    autocomplete_fields = ["agency"]
    actions = ["revoke_api_tokens"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("吊销所选用户的 API 令牌"))
    def revoke_api_tokens(self, request, queryset):
        from .services import token_revoke

        revoked = sum(token_revoke(user=user, actor=request.user, request=request) for user in queryset)
        self.message_user(request, _("已吊销 %(count)d 个令牌。") % {"count": revoked})
