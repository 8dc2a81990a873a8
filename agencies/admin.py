from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Agency, Region, RoutingKey, User


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
class RoutingKeyAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "agency"]
    list_filter = ["kind"]
    search_fields = ["value", "agency__name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "agency", "role", "is_service_account", "is_active"]
    list_filter = ["role", "agency__kind", "is_service_account", "is_active"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("所属单位"), {"fields": ("agency", "role", "phone", "is_service_account")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("所属单位"), {"fields": ("agency", "role")}),
    )
    autocomplete_fields = ["agency"]
