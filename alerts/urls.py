from django.urls import path

from .views import board, case_panel, detail, export, inbox, money, returns, settings_pages, tasks

app_name = "alerts"
urlpatterns = [
    path("inbox/", inbox.InboxView.as_view(), name="inbox"),
    path("inbox/_rows/", inbox.InboxRowsView.as_view(), name="inbox_rows"),
    path("inbox/_count/", inbox.InboxCountView.as_view(), name="inbox_count"),
    path("inbox/acknowledge/", inbox.bulk_acknowledge, name="inbox_bulk_ack"),
    path("inbox/export/", export.inbox_export, name="inbox_export"),
    path("tasks/", tasks.TaskListView.as_view(), name="tasks"),
    path("tasks/_rows/", tasks.TaskRowsView.as_view(), name="task_rows"),
    path("board/", board.BoardView.as_view(), name="board"),
    path("board/_rows/", board.BoardRowsView.as_view(), name="board_rows"),
    path("board/_dispatch/", board.DispatchRowsView.as_view(), name="dispatch_rows"),
    path("deadlines/", settings_pages.deadlines, name="deadlines"),
    path("returns/", returns.returns, name="returns"),
    path("returns/<int:pk>/decide/", returns.return_decide, name="return_decide"),
    path("returns/shares/<int:pk>/issue-rest/", returns.issue_rest, name="return_issue_rest"),
    path("case/<int:case_pk>/_panel/", case_panel.panel, name="case_panel"),
    path("case/<int:case_pk>/issue/", case_panel.issue, name="case_issue"),
    path("case/<int:case_pk>/stop-all/", money.stop_all, name="case_stop_all"),
    path("case/<int:case_pk>/money/", money.tree_page, name="money_tree"),
    path("case/<int:case_pk>/money/_tree/", money.tree_partial, name="money_tree_rows"),
    path("ring/<int:pk>/stop-all/", money.ring_stop_all, name="ring_stop_all"),
    path("<int:pk>/", detail.request_detail, name="detail"),
    path("<int:pk>/acknowledge/", detail.acknowledge, name="acknowledge"),
    path("<int:pk>/complete/", detail.complete, name="complete"),
    path("<int:pk>/reject/", detail.reject, name="reject"),
    path("<int:pk>/not-subscriber/", detail.not_subscriber, name="not_subscriber"),
    path("<int:pk>/extend/", detail.extend, name="extend"),
    path("<int:pk>/release/", detail.release, name="release"),
    path("<int:pk>/route/", detail.route, name="route"),
    path("<int:pk>/legal-notice/", detail.legal_notice, name="legal_notice"),
    path("<int:pk>/outcome/", tasks.record_outcome, name="outcome"),
    path("<int:pk>/claim/", inbox.claim, name="claim"),
    path("<int:pk>/unclaim/", inbox.unclaim, name="unclaim"),
]
