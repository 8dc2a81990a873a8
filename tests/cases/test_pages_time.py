"""Beijing time on every page: a case reported at 16:30 UTC is shown at 00:30 the next day
(the lookup page showed UTC)."""

from datetime import UTC, datetime

from django.urls import reverse

from cases.models import Case, Indicator

from .pages_support import make_case, w  # noqa: F401

PHONE = ("phone", "13812345678", "calling_number")


def test_lookup_case_page_queue_and_export_show_beijing_time(client, w):
    case = make_case(w, indicators=[PHONE])
    make_case(w, victim="李四", indicators=[PHONE])
    reported = datetime(2024, 5, 1, 16, 30, tzinfo=UTC)
    Case.objects.filter(pk=case.pk).update(reported_at=reported, occurred_at=datetime(2024, 5, 1, 16, 0, tzinfo=UTC))
    Indicator.objects.filter(value="+8613812345678").update(first_seen_at=datetime(2024, 5, 1, 16, 0, tzinfo=UTC))
    client.force_login(w.users["analyst"])
    case.refresh_from_db()
    pages = {
        "lookup": client.get(reverse("cases:lookup"), {"q": "13812345678"}).content.decode(),
        "case": client.get(reverse("cases:detail", args=[case.pk])).content.decode(),
    }
    for name, html in pages.items():
        assert "2024-05-02 00:30" in html, name
        assert "2024-05-01 16:30" not in html, name
    queue = client.get(reverse("cases:queue")).content.decode()
    assert "05-02 00:30" in queue
    export = client.get(reverse("cases:ring_export", args=[case.ring_id, "csv"])).content.decode("utf-8-sig")
    assert "2024-05-02 00:30" in export and "2024-05-02 00:00" in export
