from django.urls import path

from .views import benign, case, edit, imports, intake, queue, rings, transactions, work

app_name = "cases"
urlpatterns = [
    path("", queue.QueueView.as_view(), name="queue"),
    path("_rows/", queue.QueueRowsView.as_view(), name="queue_rows"),
    path("_counts/", queue.QueueCountsView.as_view(), name="queue_counts"),
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
    path("<int:pk>/", case.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/_timeline/", case.TimelineView.as_view(), name="timeline"),
    path("<int:pk>/assign/", case.case_assign_view, name="assign"),
    path("<int:pk>/transition/", case.case_transition_view, name="transition"),
    path("<int:pk>/priority/", case.case_override_view, name="override"),
    path("<int:pk>/share/", case.case_share_view, name="share"),
    path("victims/<int:pk>/reveal/<str:field>/", case.victim_reveal_view, name="victim_reveal"),
    path("transactions/<int:pk>/reveal/", transactions.transaction_reveal_view, name="transaction_reveal"),
    # Editing a case and working it (issue 20)
    path("<int:pk>/edit/", edit.CaseEditView.as_view(), name="edit"),
    path("<int:pk>/victims/add/", edit.victim_add_view, name="victim_add"),
    path("victims/<int:pk>/edit/", edit.VictimEditView.as_view(), name="victim_edit"),
    path("victims/<int:pk>/remove/", edit.victim_remove_view, name="victim_remove"),
    path("<int:pk>/indicators/add/", edit.indicator_add_view, name="indicator_add"),
    path("indicators/<int:pk>/remove/", edit.indicator_remove_view, name="indicator_remove"),
    path("<int:pk>/transactions/add/", edit.transaction_add_view, name="transaction_add"),
    path("transactions/<int:pk>/remove/", edit.transaction_remove_view, name="transaction_remove"),
    path("<int:pk>/notes/", work.NotesView.as_view(), name="notes"),
    path("<int:pk>/evidence/", work.EvidenceView.as_view(), name="evidence"),
    path("evidence/<int:pk>/download/", work.evidence_download_view, name="evidence_download"),
    path("<int:pk>/tasks/", work.TasksView.as_view(), name="tasks"),
    path("tasks/<int:pk>/done/", work.task_done_view, name="task_done"),
    path("tasks/mine/", work.MyTasksView.as_view(), name="my_tasks"),
]
