from django.contrib import admin

from .models import DeadlinePolicy, OnwardTransfer, Request, ReturnProposal, ReturnShare, Signal


class OnwardTransferInline(admin.TabularInline):
    model = OnwardTransfer
    fk_name = "request"
    extra = 0
    raw_id_fields = ["follow_on"]


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "status", "issuing_agency", "target_agency", "created_at", "escalated_at"]
    list_filter = ["kind", "status", "needs_manual_routing", "delivery_pending"]
    search_fields = ["number", "target_value", "case__number"]
    raw_id_fields = ["case", "parent", "issued_by", "acknowledged_by", "completed_by"]
    inlines = [OnwardTransferInline]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["kind", "ack_minutes", "complete_minutes", "updated_at"]


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ["pk", "source_agency", "received_at", "region", "task"]
    raw_id_fields = ["task"]


class ReturnShareInline(admin.TabularInline):
    model = ReturnShare
    extra = 0


@admin.register(ReturnProposal)
class ReturnProposalAdmin(admin.ModelAdmin):
    list_display = ["pk", "request", "total", "status", "created_at"]
    inlines = [ReturnShareInline]
