"""The Idempotency-Key header, through a tiny DRF create view over the Region model."""

import pytest
from django.urls import include, path
from rest_framework import generics, permissions, serializers
from rest_framework.test import APIClient

from agencies.models import Region
from core.api.idempotency import IdempotentCreateMixin
from tests.at_once import at_once


class _RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "population"]


class _CreateRegion(IdempotentCreateMixin, generics.CreateAPIView):
    # A test harness outside the product's URLs: no policy entry, so it names its own gate.
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = _RegionSerializer
    queryset = Region.objects.all()


urlpatterns = [
    path("t/regions/", _CreateRegion.as_view()),
    path("", include("fraudgov.urls")),
]

BODY = {"code": "339999", "name": "测试区", "level": 3, "population": 1000}


@pytest.fixture
def api(demo, settings):
    settings.ROOT_URLCONF = __name__
    client = APIClient()
    client.force_authenticate(demo["bank_a_api"])
    return client


@pytest.mark.django_db
def test_same_key_twice_creates_one_object_and_replays_the_answer(api):
    first = api.post("/t/regions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api.post("/t/regions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.data == first.data and second["Idempotent-Replayed"] == "true"
    assert Region.objects.filter(code="339999").count() == 1


@pytest.mark.django_db
def test_same_key_with_a_different_body_is_refused_with_422(api):
    api.post("/t/regions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = api.post("/t/regions/", {**BODY, "name": "另一个区"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422 and "Idempotency-Key" in response.data["detail"]
    assert Region.objects.get(code="339999").name == "测试区"


@pytest.mark.django_db
def test_without_a_key_each_post_is_handled_normally(api):
    assert api.post("/t/regions/", BODY, format="json").status_code == 201
    assert api.post("/t/regions/", BODY, format="json").status_code == 400  # code is unique


@pytest.mark.django_db
def test_a_failed_request_does_not_burn_the_key(api):
    bad = api.post("/t/regions/", {**BODY, "code": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert bad.status_code == 400
    again = api.post("/t/regions/", {**BODY, "code": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert again.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_a_create_with_a_unique_field_replay_the_first_answer(demo, settings):
    # The losers' handlers fail on the unique code the winner is inserting (an IntegrityError
    # once it commits, or a 400 from the serializer): the first answer stands for all.
    settings.ROOT_URLCONF = __name__

    def post():
        client = APIClient()
        client.force_authenticate(demo["bank_a_api"])
        return client.post("/t/regions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-c")

    answers = at_once(3, post)
    assert [a.status_code for a in answers] == [201] * 3
    assert len({a.data["id"] for a in answers}) == 1
    assert Region.objects.filter(code="339999").count() == 1


@pytest.mark.django_db
def test_a_retry_that_the_handler_refuses_replays_the_stored_answer(api):
    # The retry runs the handler again (the key is stored after it): its 400 on the code the
    # first made is not the answer, the first one is.
    first = api.post("/t/regions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert api.post("/t/regions/", BODY, format="json").status_code == 400  # without the key: refused
    again = api.post("/t/regions/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert again.status_code == 201 and again.data == first.data and again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_keys_older_than_a_week_are_purged_and_newer_ones_kept(demo):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import IdempotencyKey
    from core.tasks import purge_idempotency_keys

    user = demo["bank_a_api"]
    old = IdempotencyKey.objects.create(user=user, key="old", endpoint="/x/", request_hash="h")
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    IdempotencyKey.objects.create(user=user, key="new", endpoint="/x/", request_hash="h")

    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_purge_by_id_range_never_deletes_a_new_key_and_empties_an_all_old_table(demo):
    # Purged by id range below the first new key: an old key written after a new one (clocks a
    # millisecond apart) waits for the next purge, a new one is never deleted.
    from datetime import timedelta

    from django.utils import timezone

    from core.models import IdempotencyKey
    from core.tasks import purge_idempotency_keys

    user = demo["bank_a_api"]
    week_ago = timezone.now() - timedelta(days=8)
    first_old = IdempotencyKey.objects.create(user=user, key="first-old", endpoint="/x/", request_hash="h")
    new = IdempotencyKey.objects.create(user=user, key="new", endpoint="/x/", request_hash="h")
    late_old = IdempotencyKey.objects.create(user=user, key="late-old", endpoint="/x/", request_hash="h")
    IdempotencyKey.objects.filter(pk__in=[first_old.pk, late_old.pk]).update(created_at=week_ago)
    assert purge_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.order_by("pk").values_list("key", flat=True)) == ["new", "late-old"]

    IdempotencyKey.objects.filter(pk=new.pk).update(created_at=week_ago)
    assert purge_idempotency_keys() == 2 and not IdempotencyKey.objects.exists()
