"""Crawl the main pages in English and report visible Chinese that is not user data, and
anything the Content-Security-Policy refused on the way (tests/foundation/test_browser_csp.py
checks the pages this crawl does not visit).

The checked list: the visible text of every main page of each kind of member, in English, must
hold no CJK character except inside user data (names of agencies, people, places, free text
members typed). User data is read from the database: every text column of the project's models,
except the columns whose values the product must translate itself (typology names, timeline
lines, which the pages show in the reader's language).
"""

import re

from django.apps import apps
from django.db import models

from tests.csp import strict, watch_refusals

HAN = re.compile(r"[\u3400-\u9fff]")
PROJECT_APPS = {"core", "agencies", "cases", "alerts", "events", "propaganda", "dashboards"}
# Stored in Chinese but shown translated: they are not user data.
TRANSLATED_COLUMNS = {("cases", "typology", "name"), ("cases", "caseevent", "message")}

# Chinese that is right in English mode: the switch back to Chinese names its language in it, and
# the case import accepts the values 男/女 as written in the members' files.
ALLOWED = ["中文", "男, 女"]

# (username, pages): url names or paths; "first:<selector>" follows the first link matching it
# on the page before (a detail page).
JOURNEYS = [
    ("leader", ["dashboards:home", "dashboards:league", "alerts:board", "alerts:deadlines", "cases:queue",
                "first:[data-testid=queue-table] tbody a", "propaganda:home", "agencies:directory", "core:audit"]),
    ("analyst", ["cases:queue", "first:[data-testid=queue-table] tbody a", "cases:new", "cases:import", "cases:benign",
                 "alerts:board", "first:main table tbody a[href^='/requests/']", "dashboards:home",
                 "propaganda:bulletin_list"]),
    ("bank_a", ["alerts:inbox", "first:main a[href^='/requests/'][href$='/']", "dashboards:league",
                "dashboards:own_assessment"]),
    ("grid_a", ["alerts:tasks", "propaganda:outreach_list", "propaganda:communities"]),
    ("publicity", ["propaganda:home", "propaganda:campaign_list", "first:main a[href*='/campaigns/'][href$='/']",
                   "propaganda:content_list", "propaganda:targeting"]),
    ("centre_admin", ["agencies:console", "first:[data-testid=console-users] tbody a", "agencies:console_import",
                      "core:audit"]),
]


def user_data_strings() -> list[str]:
    """Every stored text value with a Chinese character in it, longest first."""
    values: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS | {"auth"}:
            continue
        columns = [f.name for f in model._meta.concrete_fields
                   if isinstance(f, (models.CharField, models.TextField))
                   and (model._meta.app_label, model._meta.model_name, f.name) not in TRANSLATED_COLUMNS]
        for name in columns:
            for value in model._default_manager.values_list(name, flat=True).distinct()[:20000]:
                if value and HAN.search(value):
                    values.add(value)
                    values.update(part for part in re.split(r"[\s,，;；、]+", value) if HAN.search(part))
    return sorted(values, key=len, reverse=True)


def leftovers(text: str, user_data: list[str]) -> list[str]:
    """The Chinese fragments of ``text`` left once user data is taken out, with some context."""
    for value in [*ALLOWED, *user_data]:
        if value in text:
            text = text.replace(value, " ")
    found = []
    for match in re.finditer(r"[\u3400-\u9fff][\u3400-\u9fff\uff00-\uffef\u3000-\u303f\w ]*", text):
        found.append(text[max(0, match.start() - 25):match.end() + 25].replace("\n", " | ").replace("\t", " "))
    return list(dict.fromkeys(found))


def crawl(new_context, base: str, user_data: list[str], journeys=JOURNEYS) -> dict[str, list[str]]:
    """Visit every journey's pages in English (``new_context``: the fixture); {page: [untranslated
    fragments or CSP refusals]}."""
    from django.urls import reverse

    from tests.conftest import session_login

    report: dict[str, list[str]] = {}
    for username, steps in journeys:
        context = new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        p = context.new_page()
        refused = watch_refusals(p)
        session_login(p, base, username)
        for step in steps:
            if step.startswith("first:"):
                link = p.locator(step[len("first:"):]).first
                if not link.count():
                    report["%s %s (no link on %s)" % (username, step, p.url)] = ["missing"]
                    continue
                response = p.goto(base + link.get_attribute("href"))
            else:
                response = p.goto(base + (reverse(step) if ":" in step else step))
            policy = response.headers.get("content-security-policy", "")
            if not strict(policy):
                report["%s %s (policy)" % (username, p.url.replace(base, ""))] = [policy or "no policy"]
            # goto returns at the load event, the one this waits for: the pages are rendered on the
            # server and their scripts have run by then (nothing is fetched after load but live
            # updates, which follow events). Waiting for the network to be idle added half a
            # second of nothing to every page.
            text = p.title() + "\n" + p.locator("body").inner_text()
            problems = leftovers(text, user_data)
            if problems:
                report["%s %s" % (username, p.url.replace(base, ""))] = problems
        if refused:
            report["%s (refused by the Content-Security-Policy)" % username] = refused
    return report
