"""The queue built for speed: filter chips, saved filters per user, bulk assign and share,
partial case numbers."""

import re

from django.urls import reverse

from cases.models import Case, SavedFilter

from .pages_support import make_case, w  # noqa: F401


def _rows(response):
    return re.findall(r'data-case-id="(\d+)"', response.content.decode())


def test_filter_bar_shows_chips_that_remove_one_filter_and_no_unknown_option(client, w):
    client.force_login(w.users["analyst"])
    typology = w.typologies["brushing"]
    html = client.get(reverse("cases:queue"), {"status": ["new", "triaged"], "typology": typology.pk, "duplicate": "true"}).content.decode()
    chips = re.findall(r'data-testid="filter-chip"[^>]*>([^<]*)<', html)
    assert chips == ["状态：新报案 ×", "状态：已研判 ×", "诈骗类型：刷单返利 ×", "疑似重复：是 ×"]
    remove_new = re.search(r'href="([^"]*)" data-testid="filter-chip"[^>]*>状态：新报案', html).group(1)
    assert "status=triaged" in remove_new and "status=new" not in remove_new and "duplicate=true" in remove_new
    assert "未知" not in html  # the yes/no filters offer 全部/是/否
    assert 'name="reported_after"' not in html  # the API's datetime bounds are not on the page


def test_saved_filters_are_per_user(client, w):
    make_case(w, typology="impersonation")
    make_case(w, victim="李四")
    client.force_login(w.users["analyst"])
    query = "typology=%d&status=new" % w.typologies["impersonation"].pk
    response = client.post(reverse("cases:saved_filter_save"), {"name": "冒充", "query": query + "&page=3"})
    assert response.status_code == 302 and response["Location"].endswith("?" + query)
    saved = SavedFilter.objects.get(user=w.users["analyst"])
    assert saved.query == query  # without the page number
    page = client.get(reverse("cases:queue")).content.decode()
    assert 'data-testid="saved-filter">冒充<' in page
    assert len(_rows(client.get(reverse("cases:queue") + "?" + saved.query))) == 1
    # Saving under the same name overwrites; another user neither sees nor deletes it.
    client.post(reverse("cases:saved_filter_save"), {"name": "冒充", "query": "status=triaged"})
    assert SavedFilter.objects.get(pk=saved.pk).query == "status=triaged"
    client.force_login(w.users["supervisor"])
    assert 'data-testid="saved-filter">' not in client.get(reverse("cases:queue")).content.decode()
    assert client.post(reverse("cases:saved_filter_delete", args=[saved.pk])).status_code == 404
    client.force_login(w.users["analyst"])
    client.post(reverse("cases:saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.exists()


def test_bulk_assign_and_share_all_or_nothing(client, w):
    a, b = make_case(w), make_case(w, victim="李四")
    hubin = make_case(w, officer="officer_b", region="340403001", victim="王五")
    client.force_login(w.users["analyst"])
    response = client.post(reverse("cases:bulk"), {"cases": [a.pk, b.pk], "action": "assign",
                                                   "assignee": w.users["supervisor"].pk, "query": "status=new"})
    assert response.status_code == 302 and response["Location"].endswith("?status=new")
    assert set(Case.objects.filter(assigned_to=w.users["supervisor"]).values_list("pk", flat=True)) == {a.pk, b.pk}
    prosecutor = w.agencies["w-procuratorate"]
    client.post(reverse("cases:bulk"), {"cases": [a.pk, b.pk], "action": "share", "agency": prosecutor.pk})
    client.force_login(w.users["prosecutor"])
    assert set(_rows(client.get(reverse("cases:queue")))) == {str(a.pk), str(b.pk)}
    # The station officer selects its case and one of another station: nothing changes.
    client.force_login(w.users["officer_b"])
    response = client.post(reverse("cases:bulk"), {"cases": [hubin.pk, a.pk], "action": "assign", "to_me": "1"}, follow=True)
    assert "无权修改的案件，未做任何修改" in response.content.decode()
    assert Case.objects.get(pk=hubin.pk).assigned_to_id is None
    # Readers (the procuratorate) and banks may not bulk-act at all.
    client.force_login(w.users["prosecutor"])
    assert client.post(reverse("cases:bulk"), {"cases": [a.pk], "action": "assign", "to_me": "1"}).status_code == 403
    client.force_login(w.users["bank_a"])
    assert client.post(reverse("cases:bulk"), {"cases": [a.pk], "action": "assign", "to_me": "1"}).status_code == 403


def test_case_number_search_accepts_a_partial_number(client, w):
    case = make_case(w)
    other = make_case(w, victim="李四")
    client.force_login(w.users["analyst"])
    tail = case.number[-6:]  # the sequence part
    middle = case.number[4:12]
    assert _rows(client.get(reverse("cases:queue"), {"q": tail})) == [str(case.pk)]
    assert _rows(client.get(reverse("cases:queue"), {"q": middle})) != []
    assert str(other.pk) in _rows(client.get(reverse("cases:queue"), {"q": other.number[-6:]}))
    # Another area's user does not find it by its number.
    client.force_login(w.users["officer_b"])
    assert _rows(client.get(reverse("cases:queue"), {"q": tail})) == []
