"""One rule for timestamps in the API (README, "API"): ISO 8601 in Beijing time with its
offset, +08:00 - on requests (they were UTC), cases, the money tree's payments and events."""

import json
import re

from tests.alerts.test_api import URL, post_stop_payment

ISO = re.compile(r'"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?([+-]\d\d:\d\d|Z)?)"')


def _stamps(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.content
    return ISO.findall(json.dumps(response.json()))


def test_every_api_timestamp_is_iso_8601_with_the_beijing_offset(w, api):
    created = post_stop_payment(w, api)
    analyst, bank = api(w.users["analyst"]), api(w.users["bank_a"])
    responses = [
        analyst.get(f"{URL}{created.data['id']}/"),  # the issuer's full view
        bank.get(f"{URL}{created.data['id']}/"),  # the bank's minimal view
        analyst.get(URL),
        analyst.get("/api/v1/cases/%d/" % created.data["case"]) if "case" in created.data else analyst.get("/api/v1/cases/"),
        analyst.get("/api/v1/events/"),
        bank.get("/api/v1/events/"),
    ]
    seen = []
    for response in responses:
        seen += _stamps(response)
    assert len(seen) >= 6, seen
    wrong = [stamp for stamp, offset in seen if offset != "+08:00"]
    assert not wrong, wrong
