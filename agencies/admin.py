from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .models import Agency, Region, RoutingKey, User


class OwnAgencyAdminMixin:
    """Lets an agency admin (``is_staff``, role agency_admin) manage their own agency's rows.

    Superusers keep the full admin. For an agency admin every queryset goes through
    ``restrict(user, "change")`` (the same rule as everywhere else) and every agency choice is
    their own agency, so they cannot see or move anything outside it.
    """

    @staticmethod
    def _is_agency_admin(request):
        user = request.user
        return user.is_active and user.is_staff and user.role == Role.AGENCY_ADMIN and user.agency_id

    def has_module_permission(self, request):
        return super().has_module_permission(request) or bool(self._is_agency_admin(request))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or bool(self._is_agency_admin(request))

    has_change_permission = has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) or bool(self._is_agency_admin(request))

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.restrict(request.user, "change")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency" and not request.user.is_superuser:
            kwargs["queryset"] = Agency.objects.filter(pk=request.user.agency_id)
            kwargs["initial"] = request.user.agency_id
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_autocomplete_fields(self, request):
        return super().get_autocomplete_fields(request) if request.user.is_superuser else []


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "population"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


class RoutingKeyInline(admin.TabularInline):
    model = RoutingKey
    extra = 1


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "region", "parent", "is_active", "duty_phone"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["region", "parent"]
    inlines = [RoutingKeyInline]


@admin.register(RoutingKey)
class RoutingKeyAdmin(OwnAgencyAdminMixin, admin.ModelAdmin):
    list_display = ["value", "kind", "agency"]
    list_filter = ["kind"]
    search_fields = ["value", "agency__name"]


@admin.register(User)
class UserAdmin(OwnAgencyAdminMixin, BaseUserAdmin):
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

    @admin.action(description=_("吊销所选用户的 API 令牌"))
    def revoke_api_tokens(self, request, queryset):
        # The queryset is this admin's own (restricted to the agency for an agency admin).
        from .services import token_revoke

        revoked = sum(token_revoke(user=user, actor=request.user, request=request) for user in queryset)
        self.message_user(request, _("已吊销 %(count)d 个令牌。") % {"count": revoked})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # An agency admin never hands out superuser, staff or raw permissions.
        hidden = {"is_superuser", "is_staff", "groups", "user_permissions"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.agency_id = request.user.agency_id
            obj.is_staff = obj.role == Role.AGENCY_ADMIN  # agency admins reach this admin
        super().save_model(request, obj, form, change)
