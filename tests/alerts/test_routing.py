"""Routing is deterministic and explained: prefix, segment, portability, domain/app, person."""

from decimal import Decimal

import pytest

from agencies.choices import RoutingKeyKind
from agencies.models import RoutingKey
from alerts.choices import RequestKind, RequestStatus, TargetKind
from alerts.models import Request
from alerts.services import request_create, request_not_subscriber, request_route_manually


def make(w, kind, tkind, value, **kw):
    req = w.run(request_create, issuer=w.users["analyst"], kind=kind, target_kind=tkind, target_value=value, **kw)
    return Request.objects.get(pk=req.pk)  # eager Celery delivered it on commit


def test_account_goes_to_bank_of_longest_card_prefix(w):
    # bank-abc owns "103"; give bank-ccb the longer "10355" to prove the longest prefix wins.
    RoutingKey.objects.create(agency=w.agencies["bank-ccb"], kind=RoutingKeyKind.CARD_PREFIX, value="10355")
    req = make(w, RequestKind.STOP_PAYMENT, TargetKind.ACCOUNT, "1035512345678", amount=Decimal("100"))
    assert req.status == RequestStatus.DELIVERED
    assert req.target_agency == w.agencies["bank-ccb"]
    assert "10355" in req.routing_reason
    other = make(w, RequestKind.STOP_PAYMENT, TargetKind.ACCOUNT, "1039912345678")
    assert other.target_agency == w.agencies["bank-abc"]


def test_phone_goes_to_carrier_by_number_segment(w):
    req = make(w, RequestKind.NUMBER_BLOCK, TargetKind.PHONE, "139 1234 5678")
    assert req.target_agency == w.agencies["tel-cmcc"]
    assert "139" in req.routing_reason


def test_not_subscriber_reroutes_to_next_carrier_never_the_same_twice(w):
    req = make(w, RequestKind.NUMBER_BLOCK, TargetKind.PHONE, "13912345678")
    seen = [req.target_agency_id]
    carriers = {w.agencies[c].pk for c in ("tel-cmcc", "tel-cucc", "tel-ctcc")}
    for _round in range(2):
        w.run(request_not_subscriber, request_id=req.pk, actor=_officer_of(w, req.target_agency))
        req.refresh_from_db()
        assert req.status == RequestStatus.DELIVERED
        assert req.target_agency_id not in seen
        seen.append(req.target_agency_id)
    assert set(seen) == carriers
    # All three said no: the dispatch queue, not a loop back to the first.
    w.run(request_not_subscriber, request_id=req.pk, actor=_officer_of(w, req.target_agency))
    req.refresh_from_db()
    assert req.needs_manual_routing and req.target_agency_id is None


def _officer_of(w, agency):
    from agencies.models import User

    user, _ = User.objects.get_or_create(username="officer-" + agency.code, defaults={"agency": agency, "role": "officer"})
    return user


def test_url_and_app_go_to_platform_by_domain_suffix_or_app_id(w):
    url = make(w, RequestKind.TAKEDOWN, TargetKind.URL, "https://evil.pay.weixin.qq.com/x?y=1")
    assert url.target_agency == w.agencies["net-tencent"]
    assert "weixin.qq.com" in url.routing_reason  # longest suffix key
    app = make(w, RequestKind.TAKEDOWN, TargetKind.APP, "com.ss.android.ugc.aweme")
    assert app.target_agency == w.agencies["net-bytedance"]


def test_person_goes_to_station_and_community_of_their_region(w):
    req = make(w, RequestKind.DISSUASION, TargetKind.PERSON, "", person_name="张三", person_phone="13800000000",
               person_region=w.regions["340402001001"])
    assert req.target_agency == w.agencies["ps-renmin"]  # walked up to the street's station
    assert req.secondary_agency == w.agencies["cm-xingfuli"]
    assert "人民路派出所" in req.routing_reason


def test_unroutable_goes_to_dispatch_queue_and_is_routed_by_hand(w):
    req = make(w, RequestKind.TAKEDOWN, TargetKind.URL, "https://unknown-site.example")
    assert req.status == RequestStatus.CREATED and req.needs_manual_routing
    routed = w.run(request_route_manually, request_id=req.pk, actor=w.users["analyst"], target_agency=w.agencies["net-tencent"],
                                    reason="托管于腾讯云")
    assert routed.status == RequestStatus.DELIVERED
    assert routed.target_agency == w.agencies["net-tencent"] and "托管于腾讯云" in routed.routing_reason


@pytest.mark.parametrize("username", ["bank_a", "grid_a"])
def test_only_issuing_police_route_by_hand(w, username):
    from alerts.services import RequestForbidden

    req = make(w, RequestKind.TAKEDOWN, TargetKind.URL, "https://unknown-site.example")
    with pytest.raises(RequestForbidden):
        request_route_manually(request_id=req.pk, actor=w.users[username], target_agency=w.agencies["net-tencent"])
