"""Every URL's policy action, per HTTP method, in one place.

``core.policy_gate`` checks the action's kind/role rule before the view runs (pages through a
middleware, the API through DRF's default permission class); the services check it again with
the object. ``tests/foundation/test_permission_matrix.py`` walks the URL configuration and fails
on any route or method missing here, so a new endpoint cannot ship without a policy entry.

Keys are URL names (``namespace:name`` for pages, the router's ``basename-action`` for the API);
values map an HTTP method to a ``core.policy.RULES`` action, or to ``PUBLIC`` (no login: login,
health, language, schema) or ``MEMBER`` (any logged-in user: their own account). HEAD and
OPTIONS follow GET.
"""

PUBLIC = "public"
MEMBER = "member"

# Parts of the URL space governed by their own permission system, not this table.
EXEMPT_NAMESPACES = ("admin",)  # Django's admin: superusers only (core.admin_site)

ROUTES: dict[str, dict[str, str]] = {
    # --- site, accounts, schema
    "home": {"GET": MEMBER},
    "healthz": {"GET": PUBLIC},
    "set_language": {"POST": PUBLIC},
    "login": {"GET": PUBLIC, "POST": PUBLIC, "PUT": PUBLIC},  # Django form views answer PUT as POST
    "logout": {"POST": MEMBER},
    "password_change": {"GET": MEMBER, "POST": MEMBER, "PUT": MEMBER},
    "password_change_done": {"GET": MEMBER},
    "schema": {"GET": PUBLIC},
    "api-docs": {"GET": PUBLIC},
    "core:audit": {"GET": "audit.view"},
    "core:audit_export": {"GET": "audit.view"},
    "agencies:directory": {"GET": "agency.view"},
    "agencies:detail": {"GET": "agency.view"},
    "agencies:routing_keys_pending": {"GET": "routingkey.review"},
    "agencies:routing_key_approve": {"POST": "routingkey.approve"},
    "agencies:console": {"GET": "console.view"},
    "agencies:console_duty": {"POST": "agency.duty_change"},
    "agencies:console_key_add": {"POST": "routingkey.change"},
    "agencies:console_key_delete": {"POST": "routingkey.change"},
    "agencies:console_user_new": {"GET": "user.manage", "POST": "user.manage", "PUT": "user.manage"},
    "agencies:console_user": {"GET": "user.manage", "POST": "user.manage"},
    "agencies:console_import": {"GET": "console.view", "POST": "routingkey.change", "PUT": "routingkey.change"},
    # --- API: accounts, members, events, audit
    "api-token": {"POST": PUBLIC},
    "api-token-revoke": {"POST": MEMBER},  # one's own token; another user's: the view's restrict("change")
    "api-me": {"GET": "me.view"},
    "api-audit": {"GET": "audit.view"},
    "event-list": {"GET": "event.view"},
    "api-agency-list": {"GET": "agency.view"},
    "api-agency-detail": {"GET": "agency.view"},
    # --- cases (pages)
    "cases:queue": {"GET": "case.view"},
    "cases:queue_rows": {"GET": "case.view"},
    "cases:queue_counts": {"GET": "case.view"},
    "cases:new": {"GET": "case.create", "POST": "case.create"},
    "cases:validate": {"GET": "case.create"},
    "cases:import": {"GET": "case.import", "POST": "case.import"},
    "cases:import_confirm": {"POST": "case.import"},
    "cases:import_cancel": {"POST": "case.import"},
    "cases:import_template": {"GET": "case.import"},
    "cases:lookup": {"GET": "case.view"},
    "cases:benign": {"GET": "benign.view", "POST": "benign.change"},
    "cases:benign_remove": {"POST": "benign.change"},
    "cases:suspect_action": {"POST": "benign.change"},
    "cases:ring": {"GET": "case.view"},
    "cases:detail": {"GET": "case.view"},
    "cases:timeline": {"GET": "case.view"},
    "cases:assign": {"POST": "case.change"},
    "cases:transition": {"POST": "case.change"},
    "cases:override": {"POST": "case.prioritise"},
    "cases:share": {"POST": "case.share"},
    "cases:victim_reveal": {"POST": "victim.reveal"},
    "cases:transaction_reveal": {"POST": "victim.reveal"},
    "cases:merge": {"POST": "case.merge"},
    "cases:bulk": {"POST": "case.change"},
    "cases:ring_export": {"GET": "case.view"},
    "cases:saved_filter_save": {"POST": "case.view"},
    "cases:saved_filter_delete": {"POST": "case.view"},
    # --- cases (API)
    "api-case-list": {"GET": "case.view", "POST": "case.create"},
    "api-case-detail": {"GET": "case.view", "PUT": "case.change", "PATCH": "case.change"},
    "api-case-linked": {"GET": "case.view"},
    "api-indicator-lookup": {"GET": "case.view"},
    "api-ring-detail": {"GET": "case.view"},
    # --- requests (pages)
    "alerts:inbox": {"GET": "request.view"},
    "alerts:inbox_rows": {"GET": "request.view"},
    "alerts:inbox_count": {"GET": "request.view"},
    "alerts:tasks": {"GET": "request.view"},
    "alerts:task_rows": {"GET": "request.view"},
    "alerts:board": {"GET": "request.board"},
    "alerts:board_rows": {"GET": "request.board"},
    "alerts:dispatch_rows": {"GET": "request.board"},
    "alerts:deadlines": {"GET": "deadline.change", "POST": "deadline.change"},
    "alerts:returns": {"GET": "return.view"},
    "alerts:return_decide": {"POST": "return.decide"},
    "alerts:return_issue_rest": {"POST": "return.decide"},
    "alerts:case_panel": {"GET": "case.view"},
    "alerts:case_issue": {"POST": "request.create"},
    "alerts:case_stop_all": {"GET": "request.create", "POST": "request.create"},
    "alerts:ring_stop_all": {"GET": "request.create"},
    # The tree: the case's side whole, a bank its own nodes (alerts.selectors_money), else 404.
    "alerts:money_tree": {"GET": "request.view"},
    "alerts:money_tree_rows": {"GET": "request.view"},
    "alerts:detail": {"GET": "request.view"},
    "alerts:acknowledge": {"POST": "request.acknowledge"},
    "alerts:complete": {"POST": "request.complete"},
    "alerts:reject": {"POST": "request.reject"},
    "alerts:not_subscriber": {"POST": "request.not_subscriber"},
    "alerts:extend": {"POST": "request.extend"},
    "alerts:release": {"POST": "request.release"},
    "alerts:route": {"POST": "request.route_manually"},
    "alerts:legal_notice": {"GET": "request.view"},
    "alerts:outcome": {"POST": "request.complete"},
    "alerts:claim": {"POST": "request.claim"},
    "alerts:unclaim": {"POST": "request.unclaim"},
    "alerts:inbox_bulk_ack": {"POST": "request.acknowledge"},
    "alerts:inbox_export": {"GET": "request.view"},
    # --- requests (API)
    "request-list": {"GET": "request.view", "POST": "request.create"},
    "request-detail": {"GET": "request.view"},
    "request-acknowledge": {"POST": "request.acknowledge"},
    "request-complete": {"POST": "request.complete"},
    "request-reject": {"POST": "request.reject"},
    "request-not-subscriber": {"POST": "request.not_subscriber"},
    "request-extend": {"POST": "request.extend"},
    "request-release": {"POST": "request.release"},
    "request-claim": {"POST": "request.claim"},
    "request-unclaim": {"POST": "request.unclaim"},
    "request-bulk-acknowledge": {"POST": "request.acknowledge"},
    "api-money-tree": {"GET": "request.view"},
    "signal-list": {"POST": "signal.create"},
    "return-proposal-list": {"GET": "return.view"},
    "return-proposal-detail": {"GET": "return.view"},
    "return-proposal-approve": {"POST": "return.decide"},
    "return-proposal-reject": {"POST": "return.decide"},
    "return-proposal-issue-rest": {"POST": "return.decide"},
    "request-stop-all": {"POST": "request.create"},
    # --- dashboards
    "dashboards:home": {"GET": "dashboard.view"},
    "dashboards:figures": {"GET": "dashboard.view"},
    "dashboards:hotspots": {"GET": "dashboard.view"},
    "dashboards:rectification_new": {"POST": "rectification.create"},
    "dashboards:rectification": {"GET": "league.view"},  # rows: the office, the responsible agency, the area
    "dashboards:rectification_delist": {"POST": "rectification.delist"},
    "dashboards:league": {"GET": "league.view"},
    "dashboards:weights": {"POST": "weights.change"},
    "dashboards:own_assessment": {"GET": "assessment.view"},
    "dashboards:agency": {"GET": "assessment.view"},
    "dashboards:agency_items": {"GET": "assessment.view"},  # rows: the agency itself and the office
    "dashboards:report": {"GET": "dashboard.view"},
    "dashboards:report_xlsx": {"GET": "dashboard.view"},
    "stats-summary": {"GET": "dashboard.view"},
    "stats-timeseries": {"GET": "dashboard.view"},
    "stats-assessment": {"GET": "league.view"},
    # --- publicity (pages)
    "propaganda:home": {"GET": "publicity.view"},
    "propaganda:campaign_list": {"GET": "publicity.view"},
    "propaganda:campaign_new": {"GET": "campaign.create", "POST": "campaign.create"},
    "propaganda:campaign_detail": {"GET": "publicity.view"},
    "propaganda:campaign_edit": {"GET": "campaign.change", "POST": "campaign.change"},
    "propaganda:outreach_list": {"GET": "publicity.view"},
    "propaganda:outreach_new": {"GET": "outreach.create", "POST": "outreach.create"},
    "propaganda:outreach_round": {"GET": "outreach.create", "POST": "outreach.create"},
    "propaganda:outreach_detail": {"GET": "publicity.view"},
    "propaganda:outreach_edit": {"GET": "outreach.change", "POST": "outreach.change"},
    "propaganda:content_list": {"GET": "publicity.view"},
    "propaganda:content_new": {"GET": "content.create", "POST": "content.create"},
    "propaganda:content_review": {"POST": "content.review"},
    "propaganda:bulletin_list": {"GET": "bulletin.view"},
    "propaganda:bulletin_inbox_rows": {"GET": "bulletin.view"},
    "propaganda:bulletin_draft": {"POST": "bulletin.draft"},
    "propaganda:bulletin_detail": {"GET": "bulletin.view"},
    "propaganda:bulletin_edit": {"GET": "bulletin.change", "POST": "bulletin.change"},
    "propaganda:bulletin_publish": {"POST": "bulletin.publish"},
    "propaganda:bulletin_receipts": {"GET": "bulletin.receipts"},
    "propaganda:targeting": {"GET": "targeting.view"},
    "propaganda:communities": {"GET": "publicity.view"},
    "propaganda:criteria": {"POST": "criteria.change"},
    "propaganda:apply": {"POST": "title.apply"},
    "propaganda:decide": {"POST": "title.decide"},
    # --- publicity (API)
    "api-campaign-list": {"GET": "publicity.view", "POST": "campaign.create"},
    "api-campaign-detail": {"GET": "publicity.view", "PUT": "campaign.change", "PATCH": "campaign.change"},
    "api-campaign-effect": {"GET": "publicity.view"},
    "api-outreach-list": {"GET": "publicity.view", "POST": "outreach.create"},
    "api-outreach-detail": {"GET": "publicity.view", "PUT": "outreach.change", "PATCH": "outreach.change"},
    "api-outreach-photo": {"GET": "publicity.view"},  # rows: the outreach's restrict(user)
    "api-bulletin-list": {"GET": "bulletin.view", "POST": "bulletin.draft"},
    "api-bulletin-detail": {"GET": "bulletin.view", "PUT": "bulletin.change", "PATCH": "bulletin.change"},
    "api-bulletin-publish": {"POST": "bulletin.publish"},
    "api-bulletin-receipts": {"GET": "bulletin.receipts"},
    # --- working a case (issue 20): rows are the case's restrict(user), so another agency gets 404
    "cases:edit": {"GET": "case.change", "POST": "case.change"},
    "cases:victim_add": {"POST": "case.change"},
    "cases:victim_edit": {"GET": "case.change", "POST": "case.change"},
    "cases:victim_remove": {"POST": "case.change"},
    "cases:indicator_add": {"POST": "case.link"},
    "cases:indicator_remove": {"POST": "case.link"},
    "cases:transaction_add": {"POST": "case.change"},
    "cases:transaction_remove": {"POST": "case.change"},
    "cases:notes": {"GET": "case.view", "POST": "note.create"},
    "cases:evidence": {"POST": "evidence.create"},
    "cases:evidence_download": {"GET": "case.view"},
    "cases:tasks": {"POST": "task.create"},
    "cases:task_done": {"POST": "task.complete"},
    "cases:my_tasks": {"GET": "task.view"},
    "api-case-notes": {"GET": "case.view", "POST": "note.create"},
    "api-case-evidence": {"GET": "case.view", "POST": "evidence.create"},
    "api-case-evidence-download": {"GET": "case.view"},
    "api-case-tasks": {"GET": "case.view", "POST": "task.create"},
    "api-case-task-done": {"POST": "task.complete"},
    "api-my-tasks": {"GET": "task.view"},
}


def route_action(url_name: str | None, method: str) -> str | None:
    """The policy action of ``method`` on the URL named ``url_name`` (None: not declared)."""
    methods = ROUTES.get(url_name or "")
    if methods is None:
        return None
    method = "GET" if method in ("HEAD", "OPTIONS") else method
    return methods.get(method)
