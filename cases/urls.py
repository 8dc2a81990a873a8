from django.urls import path

from .views import benign, case, imports, intake, merge, queue, queue_actions, ring_export, rings, transactions

app_name = "cases"
urlpatterns = [
    path("", queue.QueueView.as_view(), name="queue"),
    path("_rows/", queue.QueueRowsView.as_view(), name="queue_rows"),
    path("_counts/", queue.QueueCountsView.as_view(), name="queue_counts"),
    path("bulk/", queue_actions.BulkActionView.as_view(), name="bulk"),
    path("filters/", queue_actions.SavedFilterSaveView.as_view(), name="saved_filter_save"),
    path("filters/<int:pk>/delete/", queue_actions.SavedFilterDeleteView.as_view(), name="saved_filter_delete"),
    path("new/", intake.IntakeView.as_view(), name="new"),
    path("new/_check/", intake.ValidateFieldView.as_view(), name="validate"),
    path("import/", imports.ImportView.as_view(), name="import"),
    path("import/confirm/", imports.ImportConfirmView.as_view(), name="import_confirm"),
    path("import/cancel/", imports.ImportCancelView.as_view(), name="import_cancel"),
    path("import/template.csv", imports.ImportTemplateView.as_view(), name="import_template"),
    path("lookup/", rings.LookupView.as_view(), name="lookup"),
    path("benign/", benign.BenignListView.as_view(), name="benign"),
    path("benign/<int:pk>/remove/", benign.BenignRemoveView.as_view(), name="benign_remove"),
    path("benign/suspects/<int:pk>/", benign.SuspectActionView.as_view(), name="suspect_action"),
    path("rings/<int:pk>/", rings.RingDetailView.as_view(), name="ring"),
    path("rings/<int:pk>/export.<str:fmt>", ring_export.RingExportView.as_view(), name="ring_export"),
    path("<int:pk>/", case.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/_timeline/", case.TimelineView.as_view(), name="timeline"),
    path("<int:pk>/assign/", case.case_assign_view, name="assign"),
    path("<int:pk>/transition/", case.case_transition_view, name="transition"),
    path("<int:pk>/priority/", case.case_override_view, name="override"),
    path("<int:pk>/share/", case.case_share_view, name="share"),
    path("<int:pk>/merge/", merge.case_merge_view, name="merge"),
    path("victims/<int:pk>/reveal/<str:field>/", case.victim_reveal_view, name="victim_reveal"),
    path("transactions/<int:pk>/reveal/", transactions.transaction_reveal_view, name="transaction_reveal"),
]
