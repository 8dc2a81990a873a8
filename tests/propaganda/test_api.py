"""The publicity API: scoping (404 outside one's scope), errors in the caller's language,
Idempotency-Key, bulletins published through the API."""

from datetime import timedelta

from django.utils import timezone

from propaganda.bulletins import week_bounds
from propaganda.models import Bulletin, Campaign, Outreach


def _outreach_body(**extra):
    return {"date": timezone.localdate().isoformat(), "place": "幸福里3栋", "channel": "door_to_door",
            "target_group": "elderly", "people_reached": 12, **extra}


def test_community_b_gets_404_on_community_a_outreach(pw, api):
    a, b = api(pw.users["grid_a"]), api(pw.users["grid_b"])
    created = a.post("/api/v1/outreach/", _outreach_body(), format="json")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert b.get(f"/api/v1/outreach/{pk}/").status_code == 404
    assert b.patch(f"/api/v1/outreach/{pk}/", {"people_reached": 1}, format="json").status_code == 404
    assert b.get("/api/v1/outreach/").data["count"] == 0
    assert a.get("/api/v1/outreach/").data["count"] == 1
    assert a.patch(f"/api/v1/outreach/{pk}/", {"people_reached": 30}, format="json").data["people_reached"] == 30
    publicity = api(pw.users["publicity"])
    assert publicity.get(f"/api/v1/outreach/{pk}/").status_code == 200
    assert publicity.patch(f"/api/v1/outreach/{pk}/", {"people_reached": 1}, format="json").status_code == 403
    assert Outreach.objects.get(pk=pk).people_reached == 30


def test_outreach_errors_are_clear_and_in_the_callers_language(pw, api):
    a = api(pw.users["grid_a"])
    zh = a.post("/api/v1/outreach/", _outreach_body(people_reached=0, region=pw.regions["340403001001"].pk),
                format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 400
    assert "只能记录本单位服务区域" in zh.data["errors"]["region"][0] and "覆盖人数" in zh.data["errors"]["people_reached"][0]
    en = a.post("/api/v1/outreach/", _outreach_body(people_reached=0), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert en.status_code == 400
    assert en.data["errors"]["people_reached"] == ["People reached must be a whole number from 1 to 100000."]
    assert not Outreach.objects.exists()


def test_outreach_post_is_idempotent(pw, api):
    a = api(pw.users["grid_a"])
    first = a.post("/api/v1/outreach/", _outreach_body(), format="json", HTTP_IDEMPOTENCY_KEY="round-1")
    again = a.post("/api/v1/outreach/", _outreach_body(), format="json", HTTP_IDEMPOTENCY_KEY="round-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.data["id"] == first.data["id"]
    assert Outreach.objects.count() == 1


def test_campaigns_planned_by_publicity_only_and_effect(pw, api):
    today = timezone.localdate()
    body = {"title": "校园反诈周", "message": "刷单就是诈骗", "target_groups": ["students"], "channels": ["lecture"],
            "starts_on": (today - timedelta(days=20)).isoformat(), "ends_on": (today - timedelta(days=10)).isoformat(),
            "target_regions": [pw.regions["340403002002"].pk], "typologies": [pw.typologies["brushing"].pk]}
    assert api(pw.users["grid_a"]).post("/api/v1/campaigns/", body, format="json").status_code == 403
    bad = api(pw.users["publicity"]).post("/api/v1/campaigns/", {**body, "target_groups": ["aliens"]}, format="json")
    assert bad.status_code == 400 and "target_groups.0" in bad.data["errors"]
    created = api(pw.users["publicity"]).post("/api/v1/campaigns/", body, format="json")
    assert created.status_code == 201, created.data
    assert Campaign.objects.get().owner_agency.code == "w-publicity"
    effect = api(pw.users["grid_a"]).get(f"/api/v1/campaigns/{created.data['id']}/effect/")
    assert effect.status_code == 200
    assert effect.data["treated"]["population"] == 16800 and effect.data["caveat"]


def test_bulletin_draft_edit_publish_and_receipts(pw, api, django_capture_on_commit_callbacks):
    start, _end = week_bounds(timezone.localdate() - timedelta(days=7))
    pw.case(day=start + timedelta(days=1), victims=[{"name": "钱多多", "phone": "13911112222", "age": 30}])
    centre = api(pw.users["analyst"])
    assert api(pw.users["grid_a"]).post("/api/v1/bulletins/", {}, format="json").status_code == 403
    draft = centre.post("/api/v1/bulletins/", {"week_start": start.isoformat()}, format="json")
    assert draft.status_code == 201, draft.data
    pk = draft.data["id"]
    assert "钱多多" not in str(draft.data) and "13911112222" not in str(draft.data)
    # Drafts are the centre's own: a community does not see them yet.
    assert api(pw.users["grid_a"]).get(f"/api/v1/bulletins/{pk}/").status_code == 404
    leak = centre.patch(f"/api/v1/bulletins/{pk}/", {"body": "受害人钱多多"}, format="json")
    assert leak.status_code == 400 and "个人信息" in leak.data["errors"]["body"][0]
    with django_capture_on_commit_callbacks(execute=True):
        published = centre.post(f"/api/v1/bulletins/{pk}/publish/", HTTP_IDEMPOTENCY_KEY="pub-1")
    assert published.status_code == 200 and published.data["status"] == "published"
    assert centre.post(f"/api/v1/bulletins/{pk}/publish/").status_code == 400
    grid = api(pw.users["grid_a"])
    assert grid.get("/api/v1/bulletins/").data["count"] == 1
    assert grid.get(f"/api/v1/bulletins/{pk}/").status_code == 200  # opens it
    receipts = centre.get(f"/api/v1/bulletins/{pk}/receipts/").data
    opened = {r["agency_name"] for r in receipts if r["opened_at"]}
    assert opened == {"幸福里社区居委会"} and len(receipts) > 20
    assert grid.get(f"/api/v1/bulletins/{pk}/receipts/").data == [r for r in receipts
                                                                   if r["agency_name"] == "幸福里社区居委会"]
    assert Bulletin.objects.get().status == "published"


def test_publicity_endpoints_are_in_the_openapi_schema(pw, api):
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    # Only our routes (as fraudgov.urls mounts them), so another app's schema work cannot mask ours.
    patterns = [path("api/v1/", include("propaganda.api.urls"))]
    paths = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)["paths"]
    for route in ("/api/v1/campaigns/", "/api/v1/outreach/{id}/", "/api/v1/bulletins/{id}/publish/",
                 "/api/v1/campaigns/{id}/effect/"):
        assert route in paths


def test_outreach_list_query_count_does_not_grow_with_rows(pw, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(pw.users["publicity"])

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/outreach/").status_code == 200
        return len(ctx.captured_queries)

    pw.outreach(by="grid_a")
    few = count_queries()
    for who in ("grid_a", "grid_b", "grid_b", "officer"):
        pw.outreach(by=who)
    assert count_queries() == few
