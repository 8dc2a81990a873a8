"""The permission matrix, generated from the URL configuration.

Every URL (pages and API, each HTTP method its view accepts, each DRF @action) must name its
policy action in ``core.policy_routes.ROUTES``; a new endpoint without one fails
``test_every_url_declares_its_policy_action``. Then every demo user x every endpoint and method
x two objects (the first and the last row: different owners in the demo world) is called from
the outside through the test client, and the answer is checked against the policy:

- a kind or role the action's rule does not grant: exactly 403;
- a rule that refuses this object (not the receiver, not the issuer, not the owner): 403 or 404;
- otherwise: not a 403 (the answer may be 2xx, a redirect, 400 for the empty body, 404 for a
  row outside the user's scope, 409 for a state that moved on);
- never a 5xx.

The demo world is committed once for the module (``committed_demo_world``); each test runs in a
transaction of its own, and each user's call in a savepoint, so the writes one call makes do not leak.
"""

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from core.policy import RULES, allowed
from core.policy_routes import EXEMPT_NAMESPACES, MEMBER, PUBLIC, ROUTES
from tests.conftest import committed_demo_world

DEMO_USERS = ["analyst", "supervisor", "centre_admin", "county_analyst", "officer", "officer_b", "bank_a", "bank_b",
              "bank_c", "bank_a_api", "carrier_a", "carrier_b", "platform_a", "grid_a", "grid_b", "prosecutor",
              "publicity", "leader"]
IGNORED_METHODS = {"head", "options", "trace"}


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace if not namespace else (namespace + ":" + p.namespace if p.namespace else namespace)
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = (namespace + ":" + p.name) if namespace and p.name else p.name
            yield prefix + str(p.pattern), name, p.callback, namespace


def endpoints() -> list[tuple[str, str, object]]:
    """(route, name, callback) of every URL except those under an exempt namespace."""
    out = []
    for route, name, callback, namespace in _walk(get_resolver().url_patterns):
        if namespace and namespace.split(":")[0] in EXEMPT_NAMESPACES:
            continue
        out.append((route, name, callback))
    return out


def view_methods(callback) -> set[str] | None:
    """The HTTP methods a view answers (None: a function view, which cannot tell)."""
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset route: its method -> action map (@action routes included)
        return {m.upper() for m in actions if m not in IGNORED_METHODS}
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        return {m.upper() for m in cls.http_method_names if m not in IGNORED_METHODS and hasattr(cls, m)}
    return None


def test_every_url_declares_its_policy_action():
    missing, stale, unknown = [], [], []
    seen = set()
    for route, name, callback in endpoints():
        if name is None:
            missing.append("%s (unnamed: name it and declare it)" % route)
            continue
        seen.add(name)
        declared = ROUTES.get(name)
        if declared is None:
            missing.append("%s %s" % (name, route))
            continue
        methods = view_methods(callback)
        if methods is not None:
            for m in sorted(methods - set(declared)):
                missing.append("%s %s %s" % (m, name, route))
        for action in declared.values():
            if action not in (PUBLIC, MEMBER) and action not in RULES:
                unknown.append("%s -> %s" % (name, action))
    stale = sorted(set(ROUTES) - seen)
    assert not missing, "URLs without a policy entry in core/policy_routes.py:\n" + "\n".join(missing)
    assert not unknown, "policy entries naming no rule of core.policy.RULES:\n" + "\n".join(unknown)
    assert not stale, "policy entries for URLs that no longer exist:\n" + "\n".join(stale)


def test_an_undeclared_api_endpoint_is_closed(settings, django_user_model):
    """A view added without a policy entry answers 403 to everyone, until it is declared."""
    from agencies.demo import seed_agencies

    seed_agencies()
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class Undeclared(APIView):
        def get(self, request):
            return Response({"ok": True})

    from django.urls import include, path

    import tests.foundation.test_permission_matrix as me

    me.urlpatterns = [path("t/undeclared/", Undeclared.as_view(), name="t-undeclared"),
                      path("", include("fraudgov.urls"))]
    settings.ROOT_URLCONF = "tests.foundation.test_permission_matrix"
    client = APIClient()
    client.force_authenticate(django_user_model.objects.get(username="leader"))
    response = client.get("/t/undeclared/")
    assert response.status_code == 403 and response.json()["code"] == "undeclared"


test_an_undeclared_api_endpoint_is_closed = pytest.mark.django_db(test_an_undeclared_api_endpoint_is_closed)


# ---------------------------------------------------------------- the world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo world, committed for the module (``committed_demo_world``)."""
    with django_db_blocker.unblock(), committed_demo_world():
        from agencies.models import User

        users = {u.username: u for u in User.objects.select_related("agency").filter(username__in=DEMO_USERS)}
        # One logged-in page client and one API client per user for the whole module: a login
        # writes a session, an audit entry and django-axes' records, every time.
        clients = {}
        for username, user in users.items():
            page = Client()
            page.force_login(user)
            api = APIClient()
            api.force_authenticate(user)
            clients[username] = {"page": page, "api": api}
        yield {"users": users, "clients": clients}


def _models():
    from agencies.models import Agency
    from alerts.models import Request, ReturnProposal
    from cases.models import BenignIndicator, Case, Indicator, Ring, Victim
    from dashboards.models import Rectification
    from propaganda.models import Bulletin, Campaign, ContentItem, FraudFreeTitle, Outreach

    return {
        "request": Request, "return-proposal": ReturnProposal, "case": Case, "ring": Ring, "victim": Victim,
        "benign": BenignIndicator, "indicator": Indicator, "agency": Agency, "rectification": Rectification,
        "bulletin": Bulletin, "campaign": Campaign, "content": ContentItem, "title": FraudFreeTitle,
        "outreach": Outreach,
    }


# URL name (or its prefix) -> the model its ``pk`` (or ``case_pk``) names.
PK_MODEL = [
    (r"^(alerts:(detail|acknowledge|complete|reject|not_subscriber|extend|release|route|legal_notice|outcome)"
     r"|request-)", "request"),
    (r"^(alerts:return_decide|return-proposal-)", "return-proposal"),
    (r"^(alerts:case_|cases:(detail|timeline|assign|transition|override|share)|api-case-)", "case"),
    (r"^(cases:ring|api-ring)", "ring"),
    (r"^cases:victim_reveal", "victim"),
    (r"^cases:benign_remove", "benign"),
    (r"^cases:suspect_action", "indicator"),
    (r"^(agencies:detail|api-agency-)", "agency"),
    (r"^dashboards:rectification", "rectification"),
    (r"^(propaganda:bulletin_|api-bulletin-)", "bulletin"),
    (r"^(propaganda:campaign_|api-campaign-)", "campaign"),
    (r"^(propaganda:outreach_|api-outreach-)", "outreach"),
    (r"^propaganda:content_review", "content"),
    (r"^propaganda:decide", "title"),
]
OBJECT_ACTIONS = {"request": "request.", "case": "case.", "bulletin": "bulletin.", "campaign": "campaign.",
                  "outreach": "outreach."}


def _model_key(name: str) -> str | None:
    for pattern, key in PK_MODEL:
        if re.match(pattern, name):
            return key
    return None


def _cases() -> list[tuple[str, str, str, str]]:
    """(name, route, method, which object) for every declared, non-public endpoint."""
    out = []
    for route, name, callback in endpoints():
        declared = ROUTES.get(name or "")
        if not declared:
            continue
        has_object = "<" in route or "(?P<" in route
        for method, action in sorted(declared.items()):
            if action in (PUBLIC, MEMBER):
                continue
            for which in (("first", "last") if has_object else ("-",)):
                out.append((name, route, method, which))
    return out


def _url(route: str, obj, agency_code: str) -> str:
    pk = str(obj.pk) if obj is not None else "999999"
    url = re.sub(r"\(\?P<pk>[^)]*\)", pk, route)
    url = url.replace("^", "").replace("$", "")
    url = re.sub(r"<(int:)?(case_)?pk>", pk, url)
    url = url.replace("<slug:code>", agency_code).replace("<str:field>", "phone").replace("<str:decision>", "approve")
    return "/" + url


@pytest.mark.django_db
@pytest.mark.parametrize("name,route,method,which", _cases(), ids=lambda v: str(v))
def test_every_demo_user_gets_what_the_policy_says(world, name, route, method, which):
    from agencies.models import Agency

    key = _model_key(name)
    obj = None
    if which != "-" and key is not None:
        qs = _models()[key].objects.order_by("pk")
        obj = qs.first() if which == "first" else qs.last()
    action = ROUTES[name][method]
    code = Agency.objects.order_by("pk").values_list("code", flat=True)[0 if which != "last" else 3]
    url = _url(route, obj, code)
    failures = []
    for username in DEMO_USERS:
        user = world["users"][username]
        client = world["clients"][username]["page" if name.count(":") else "api"]
        kind_ok = allowed(user, action)
        object_ok = kind_ok and (obj is None or not action.startswith(OBJECT_ACTIONS.get(key, "-"))
                                 or not RULES[action].write or allowed(user, action, obj))
        with transaction.atomic():  # one user's write does not change the next user's world
            response = client.generic(method, url, data=b"{}" if not name.count(":") and method != "GET" else b"",
                                      content_type="application/json" if not name.count(":") else
                                      "application/x-www-form-urlencoded")
            transaction.set_rollback(True)
        status = response.status_code
        if status >= 500:
            failures.append("%s %s %s -> %s (server error)" % (username, method, url, status))
        elif not kind_ok and status != 403:
            failures.append("%s %s %s -> %s, policy refuses %s: want 403" % (username, method, url, status, action))
        elif kind_ok and not object_ok and status not in (403, 404, 405):
            failures.append("%s %s %s -> %s, policy refuses %s on this object: want 403/404"
                            % (username, method, url, status, action))
        elif object_ok and status == 403:
            failures.append("%s %s %s -> 403, policy allows %s" % (username, method, url, action))
    assert not failures, "\n".join(failures)
