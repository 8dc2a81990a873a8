"""Deterministic, explainable routing: which agency receives a request, and why.

Each function returns a ``Route`` (agency, optional secondary agency, reason) or None when
nothing matches; the caller stores the reason and shows it to both sides. ``exclude`` lists
agencies already tried, so a re-route never returns to one of them. Only active routing keys
route: a key awaiting a centre's approval (``RoutingKeyStatus.PENDING``) is ignored.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from agencies.choices import AgencyKind, RoutingKeyKind, RoutingKeyStatus
from agencies.models import Agency, Region, RoutingKey

from .choices import TargetKind


@dataclass(frozen=True)
class Route:
    agency: Agency
    reason: str
    secondary: Agency | None = None


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def _keys_with_prefix(*, kind: str, prefixes: list[str]):
    return (RoutingKey.objects.filter(kind=kind, value__in=prefixes, agency__is_active=True,
                                      status=RoutingKeyStatus.ACTIVE)
            .select_related("agency").order_by())


class PrefixBook:
    """The routing keys of one prefix kind (card prefixes, number segments) that can match any
    of ``values``, read with one query: a delivery batch routes all its accounts with one."""

    def __init__(self, kind: str, values):
        self.values = set(values)
        prefixes = sorted({value[:i] for value in self.values for i in range(1, len(value) + 1)})
        self.by_value: dict[str, list[RoutingKey]] = {}
        for key in _keys_with_prefix(kind=kind, prefixes=prefixes):
            self.by_value.setdefault(key.value, []).append(key)

    def match(self, value: str, exclude) -> list[RoutingKey]:
        """Keys that are prefixes of ``value``, longest first (ties by agency code)."""
        keys = [key for i in range(len(value), 0, -1) for key in self.by_value.get(value[:i], ())
                if key.agency_id not in exclude]
        keys.sort(key=lambda k: (-len(k.value), k.agency.code))
        return keys


def _prefix_keys(kind: str, value: str, exclude, book: PrefixBook | None = None) -> list[RoutingKey]:
    if book is None or value not in book.values:  # a book read for other values knows nothing of this one
        book = PrefixBook(kind, [value])
    return book.match(value, set(exclude))


def account_digits(value: str) -> str:
    return _digits(value) or value.strip()


def phone_digits(value: str) -> str:
    number = _digits(value)
    if number.startswith("86") and len(number) == 13:
        number = number[2:]
    return number


def route_account(value: str, exclude=(), book: PrefixBook | None = None) -> Route | None:
    account = account_digits(value)
    keys = _prefix_keys(RoutingKeyKind.CARD_PREFIX, account, exclude, book)
    if not keys:
        return None
    key = keys[0]
    return Route(key.agency, _("账号 %(value)s 匹配最长卡号前缀 %(prefix)s，归属 %(agency)s")
                 % {"value": account, "prefix": key.value, "agency": key.agency.name})


def route_phone(value: str, exclude=(), book: PrefixBook | None = None) -> Route | None:
    """Number segment first; a carrier that answered "not our subscriber" is in ``exclude`` and
    the next candidate is another carrier (the number may have been ported)."""
    number = phone_digits(value)
    keys = _prefix_keys(RoutingKeyKind.NUMBER_SEGMENT, number, exclude, book)
    if keys:
        key = keys[0]
        return Route(key.agency, _("号码 %(value)s 属号段 %(prefix)s，归属 %(agency)s")
                     % {"value": number, "prefix": key.value, "agency": key.agency.name})
    if not exclude:
        return None
    # Ported number: try the other carriers in a fixed order.
    other = (
        Agency.objects.filter(kind=AgencyKind.CARRIER, is_active=True)
        .exclude(pk__in=list(exclude)).order_by("code").first()
    )
    if other is None:
        return None
    return Route(other, _("号码 %(value)s 可能已携号转网，转至下一家运营商 %(agency)s")
                 % {"value": number, "agency": other.name})


def _host(value: str) -> str:
    text = value.strip().lower()
    if "//" not in text:
        text = "//" + text
    return (urlsplit(text).hostname or "").rstrip(".")


def route_domain(value: str, exclude=()) -> Route | None:
    """Longest domain suffix match (a.b.example.com matches a key example.com)."""
    host = _host(value)
    if not host:
        return None
    parts = host.split(".")
    suffixes = [".".join(parts[i:]) for i in range(len(parts))]
    keys = list(
        RoutingKey.objects.filter(kind=RoutingKeyKind.DOMAIN, value__in=suffixes, agency__is_active=True,
                                  status=RoutingKeyStatus.ACTIVE)
        .exclude(agency_id__in=list(exclude)).select_related("agency")
    )
    if not keys:
        return None
    keys.sort(key=lambda k: (-len(k.value), k.agency.code))
    key = keys[0]
    return Route(key.agency, _("网址 %(value)s 的域名匹配 %(domain)s，归属 %(agency)s")
                 % {"value": host, "domain": key.value, "agency": key.agency.name})


def route_app(value: str, exclude=()) -> Route | None:
    key = (
        RoutingKey.objects.filter(kind=RoutingKeyKind.APP_ID, value__iexact=value.strip(), agency__is_active=True,
                                  status=RoutingKeyStatus.ACTIVE)
        .exclude(agency_id__in=list(exclude)).select_related("agency").order_by("agency__code").first()
    )
    if key is None:
        return route_domain(value, exclude) if "." in value and "/" in value else None
    return Route(key.agency, _("应用标识 %(value)s 归属 %(agency)s") % {"value": key.value, "agency": key.agency.name})


def route_social(value: str, exclude=()) -> Route | None:
    """A social account is written "<app id or domain>:<account>"; route by its platform part."""
    platform = value.split(":", 1)[0] if ":" in value else value
    return route_app(platform, exclude) or route_domain(platform, exclude)


def _nearest(kind: str, region: Region, exclude) -> Agency | None:
    node = region
    while node is not None:
        found = (
            Agency.objects.filter(kind=kind, region=node, is_active=True)
            .exclude(pk__in=list(exclude)).order_by("code").first()
        )
        if found is not None:
            return found
        node = node.parent
    return None


def route_person(region: Region | None, exclude=()) -> Route | None:
    """The police station and community of the person's region, walking up the region tree."""
    if region is None:
        return None
    station = _nearest(AgencyKind.POLICE_STATION, region, exclude)
    if station is None:
        return None
    community = _nearest(AgencyKind.COMMUNITY, region, exclude)
    reason = _("居住地 %(region)s：辖区派出所 %(station)s，社区 %(community)s") % {
        "region": region.name,
        "station": station.name,
        "community": community.name if community else _("（无）"),
    }
    return Route(station, reason, community)


def route_request(req, exclude=(), books: dict | None = None) -> Route | None:
    """Route one request by its target kind; None means the centre's dispatch queue.
    ``books``: the ``PrefixBook`` of each prefix kind read for a whole batch (``route_books``)."""
    books = books or {}
    if req.target_kind == TargetKind.ACCOUNT:
        return route_account(req.target_value, exclude, books.get(RoutingKeyKind.CARD_PREFIX))
    if req.target_kind == TargetKind.PHONE:
        return route_phone(req.target_value, exclude, books.get(RoutingKeyKind.NUMBER_SEGMENT))
    if req.target_kind == TargetKind.URL:
        return route_domain(req.target_value, exclude)
    if req.target_kind == TargetKind.APP:
        return route_app(req.target_value, exclude)
    if req.target_kind == TargetKind.SOCIAL:
        return route_social(req.target_value, exclude)
    if req.target_kind == TargetKind.PERSON:
        return route_person(req.person_region, exclude)
    return None


def route_books(reqs) -> dict[str, PrefixBook]:
    """The prefix books for routing all of ``reqs``: one query per prefix kind they need."""
    wanted = {RoutingKeyKind.CARD_PREFIX: [account_digits(r.target_value) for r in reqs if r.target_kind == TargetKind.ACCOUNT],
              RoutingKeyKind.NUMBER_SEGMENT: [phone_digits(r.target_value) for r in reqs if r.target_kind == TargetKind.PHONE]}
    return {kind: PrefixBook(kind, values) for kind, values in wanted.items() if values}
