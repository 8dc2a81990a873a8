from django.contrib import admin

from .models import BenignIndicator, Case, CaseEvent, Indicator, Ring, Typology


@admin.register(Typology)
class TypologyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]


@admin.register(BenignIndicator)
class BenignIndicatorAdmin(admin.ModelAdmin):
    """The centre's warning list of values that must never tie cases together."""

    list_display = ["kind", "value", "note", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "note"]

    def save_model(self, request, obj, form, change):
        from .services import benign_add

        benign_add(kind=obj.kind, value=obj.value, note=obj.note, actor=request.user, instance=obj)

    def delete_model(self, request, obj):
        from .services import benign_remove

        benign_remove(entry=obj, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        from .services import benign_remove

        for obj in queryset:
            benign_remove(entry=obj, actor=request.user, request=request)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["kind", "value", "case_count", "is_linkable", "needs_review", "ring", "last_seen_at"]
    list_filter = ["kind", "is_linkable", "needs_review"]
    search_fields = ["value", "registrable_domain"]
    raw_id_fields = ["ring"]
    readonly_fields = ["case_count", "first_seen_at", "last_seen_at", "ring"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "reported_at", "region", "typology", "loss_amount", "status", "priority", "ring"]
    list_filter = ["status", "typology"]
    search_fields = ["number"]
    raw_id_fields = ["ring", "possible_duplicate_of", "assigned_to", "created_by", "region", "reporting_agency"]
    list_select_related = ["region", "typology", "ring"]


@admin.register(Ring)
class RingAdmin(admin.ModelAdmin):
    list_display = ["id", "case_count", "total_loss", "first_occurred_at", "last_occurred_at"]
    ordering = ["-case_count"]


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ["case", "at", "kind", "message"]
    raw_id_fields = ["case", "actor", "agency"]
