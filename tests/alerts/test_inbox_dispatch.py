"""A request that cannot be routed never waits in silence (issue 19 §6): it stands on the
centre's board as "needs dispatch", its supervisors are alerted (an event to their role only),
and the dispatch form has labelled fields offering only agency kinds that can take its target."""

import re

from django.urls import reverse

from agencies.choices import AgencyKind
from agencies.models import Agency
from alerts.choices import RequestKind, RequestStatus, TargetKind
from alerts.models import Request
from alerts.services import signal_receive
from events.models import Event

from .pages_support import issue, login, make_case

UNKNOWN_ACCOUNT = "9999000011112222"


def _unroutable(w):
    req = issue(w, make_case(w, account=UNKNOWN_ACCOUNT), target=UNKNOWN_ACCOUNT)
    assert req.needs_manual_routing and req.status == RequestStatus.CREATED
    return req


def test_an_unroutable_request_alerts_the_centre_supervisors_only(w):
    req = _unroutable(w)
    alerts = Event.objects.filter(kind="request.needs_dispatch", payload__id=req.pk)
    assert {(e.agency.code, e.role) for e in alerts} == {("w-centre", "supervisor")}
    assert alerts.get().payload["number"] == req.number
    assert not Event.objects.filter(kind="request.needs_dispatch", agency__kind=AgencyKind.BANK).exists()


def test_a_dissuasion_task_without_a_region_alerts_the_supervisors_too(w):
    with w.capture(execute=True):
        signal = signal_receive(actor=w.users["bank_a"], resident_name="钱居民", resident_phone="13800001234",
                                reason="疑似向涉诈账户转账")
    task = Request.objects.get(pk=signal.task_id)
    assert task.needs_manual_routing and task.target_agency_id is None
    alerts = Event.objects.filter(kind="request.needs_dispatch", payload__id=task.pk)
    assert {e.role for e in alerts} == {"supervisor"}
    assert {e.agency.kind for e in alerts} == {AgencyKind.ANTI_FRAUD_CENTRE}


def test_board_shows_needs_dispatch_with_labelled_fields_for_bank_kinds_only(w, client):
    req = _unroutable(w)
    login(client, w, "supervisor")
    html = client.get(reverse("alerts:board")).content.decode()
    row = html[html.index('data-number="%s"' % req.number):]
    row = row[:row.index("</form>")]
    assert 'data-testid="needs-dispatch"' in row
    select = re.search(r'<select name="target_agency"[^>]*id="(id_route%d_target_agency)"' % req.pk, row)
    assert select and '<label class="form-label small mb-0" for="%s">' % select.group(1) in row
    assert 'for="id_route%d_reason"' % req.pk in row and "secondary_agency" not in row  # a community only for a person
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', row)}
    kinds = set(Agency.objects.filter(pk__in=offered).values_list("kind", flat=True))
    assert offered and kinds <= {AgencyKind.BANK, AgencyKind.PAYMENT_INSTITUTION}
    assert w.agencies["bank-ccb"].pk in offered and w.agencies["tel-cmcc"].pk not in offered


def test_a_url_takedown_offers_only_platforms(w, client):
    req = issue(w, make_case(w), kind=RequestKind.TAKEDOWN, target_kind=TargetKind.URL, target="https://nowhere.example")
    assert req.needs_manual_routing
    login(client, w, "analyst")
    html = client.get(reverse("alerts:dispatch_rows")).content.decode()
    row = html[html.index('data-number="%s"' % req.number):]
    row = row[:row.index("</form>")]
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', row)}
    assert set(Agency.objects.filter(pk__in=offered).values_list("kind", flat=True)) == {AgencyKind.INTERNET_PLATFORM}


def test_routing_to_an_agency_of_the_wrong_kind_is_refused_and_nothing_changes(w, client):
    req = _unroutable(w)
    login(client, w, "analyst")
    response = client.post(reverse("alerts:route", args=[req.pk]), {"target_agency": w.agencies["tel-cmcc"].pk}, follow=True)
    assert "账户给银行" in response.content.decode()
    req.refresh_from_db()
    assert req.target_agency_id is None and req.needs_manual_routing


def test_dispatch_queue_query_count_does_not_grow_with_rows(w, client, django_assert_max_num_queries):
    _unroutable(w)
    login(client, w, "analyst")
    client.get(reverse("alerts:dispatch_rows"))
    with django_assert_max_num_queries(9) as few:  # measured 9: the queue and the agencies once
        client.get(reverse("alerts:dispatch_rows"))
    case = make_case(w, account="9999000011113333")
    for n in range(4):
        issue(w, case, target="99990000111140%02d" % n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("alerts:dispatch_rows")).content.decode()
    assert html.count('data-testid="dispatch-row"') == 5
