"""Where each dashboard figure leads: the list behind it, filtered the same way.

Cases go to the case queue (cases.filtersets.CaseFilterSet parameters: region pk, report
dates, every status); requests to the request board (alerts.filtersets.RequestFilterSet
parameters), whose API list takes the same filters.
"""

from urllib.parse import urlencode

from django.urls import reverse

from cases.choices import CaseStatus

ALL_CASE_STATUSES = [s.value for s in CaseStatus]


def cases_url(region, start, end, **extra) -> str:
    params = [("region", region.pk), ("date_from", start.isoformat()), ("date_to", end.isoformat())]
    params += [("status", s) for s in extra.pop("status", ALL_CASE_STATUSES)]
    params += list(extra.items())
    return reverse("cases:queue") + "?" + urlencode(params)


def requests_url(**params) -> str:
    flat = []
    for key, value in params.items():
        for v in value if isinstance(value, list | tuple) else [value]:
            flat.append((key, v))
    return reverse("alerts:board") + ("?" + urlencode(flat) if flat else "")


def figure_links(region, start, end) -> dict[str, str]:
    cases = cases_url(region, start, end)
    return {
        "cases": cases,
        "loss": cases,
        "rate": cases,
        "solved": cases_url(region, start, end, status=["solved", "closed"]),
        "requests_issued": requests_url(),
        "requests_completed": requests_url(status="completed"),
        "requests_overdue": requests_url(escalated="true"),
        "stopped": requests_url(kind="stop_payment", status="completed"),
        "frozen": requests_url(kind="freeze", status="completed"),
        "dissuaded": requests_url(kind="dissuasion", status="completed"),
        "signals": requests_url(kind="dissuasion"),
        "requests_overdue_api": reverse("request-list") + "?escalated=true",
    }
