"""Normalise a fraudster's trace so that the same trace written two ways is one indicator.

Phone numbers become E.164 (China by default, via phonenumbers), card/account numbers digits
only, URLs a canonical lower-case form with the registrable domain extracted by tldextract's
bundled public-suffix snapshot (offline: no network at import or call time).
"""

import ipaddress
import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

import phonenumbers
import tldextract
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .choices import IndicatorKind


class NormalizedIndicator(NamedTuple):
    kind: str
    value: str
    registrable_domain: str


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() and no cache dir: only the snapshot shipped inside the package.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


_SEPARATORS = re.compile(r"[\s\-_.()（）\u3000]+")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def validate_id_number(raw: str) -> str:
    """Validate an 18-digit resident ID number (GB 11643 checksum); return it upper-cased."""
    value = (raw or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(_("身份证号应为 18 位，最后一位可以是 X。"), code="id_format")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对。"), code="id_checksum")
    return value


def normalize_phone(raw: str) -> str:
    text = (raw or "").strip()
    compact = _SEPARATORS.sub("", text)
    # Short service numbers (95588, 10086, 110) have no E.164 form: kept as their digits.
    if re.fullmatch(r"\d{3,6}", compact):
        return compact
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("无法识别的电话号码：%(value)s"), code="phone", params={"value": raw})
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(_("电话号码位数不正确：%(value)s"), code="phone", params={"value": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_account(raw: str) -> str:
    value = _SEPARATORS.sub("", (raw or "").strip()).upper()
    if re.fullmatch(r"\d{10,30}", value):
        return value
    raise ValidationError(
        _("银行卡号/账号应为 10 到 30 位数字：%(value)s"), code="account", params={"value": raw}
    )


def normalize_url(raw: str) -> tuple[str, str]:
    """Return (canonical url or bare host, registrable domain)."""
    text = (raw or "").strip().strip("<>\"'")
    if not text:
        raise ValidationError(_("请输入网址或域名。"), code="url")
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        raise ValidationError(_("无法识别的网址：%(value)s"), code="url", params={"value": raw})
    if host.startswith("www."):
        host = host[4:]
    ext = _extractor()(host)
    if not ext.domain or not ext.suffix:
        raise ValidationError(_("无法识别的网址：%(value)s"), code="url", params={"value": raw})
    registrable = f"{ext.domain}.{ext.suffix}"
    path = parts.path.rstrip("/")
    # Scheme, port, fragment and a trailing slash do not make another site.
    canonical = urlunsplit(("", host, path, parts.query, "")).lstrip("/")
    return canonical[:255], registrable


def normalize_ip(raw: str) -> str:
    try:
        return str(ipaddress.ip_address((raw or "").strip()))
    except ValueError:
        raise ValidationError(_("无法识别的 IP 地址：%(value)s"), code="ip", params={"value": raw})


def _normalize_token(raw: str, kind_label) -> str:
    value = re.sub(r"\s+", "", (raw or "").strip()).lower()
    if not value:
        raise ValidationError(_("%(kind)s不能为空。"), code="empty", params={"kind": kind_label})
    return value[:255]


def normalize_indicator(kind: str, raw: str) -> NormalizedIndicator:
    """Normalise ``raw`` as an indicator of ``kind``; ValidationError (user's language) if bad."""
    if kind not in IndicatorKind.values:
        raise ValidationError(_("未知的线索类型：%(kind)s"), code="kind", params={"kind": kind})
    domain = ""
    if kind == IndicatorKind.PHONE:
        value = normalize_phone(raw)
    elif kind == IndicatorKind.ACCOUNT:
        value = normalize_account(raw)
    elif kind == IndicatorKind.URL:
        value, domain = normalize_url(raw)
    elif kind == IndicatorKind.IP:
        value = normalize_ip(raw)
    elif kind == IndicatorKind.WALLET:
        value = (raw or "").strip()
        if not re.fullmatch(r"[0-9A-Za-z]{20,100}", value):
            raise ValidationError(_("钱包地址格式不正确：%(value)s"), code="wallet", params={"value": raw})
        # Ethereum-style hex addresses are case-insensitive; base58 ones are not.
        if value.lower().startswith("0x"):
            value = value.lower()
    else:
        value = _normalize_token(raw, IndicatorKind(kind).label)
    return NormalizedIndicator(kind, value, domain)


def guess_kind(raw: str) -> str | None:
    """Guess what a pasted trace is (for the lookup box); None when nothing fits."""
    text = (raw or "").strip()
    if not text:
        return None
    compact = _SEPARATORS.sub("", text)
    try:
        ipaddress.ip_address(text)
        return IndicatorKind.IP
    except ValueError:
        pass
    if re.fullmatch(r"(0x[0-9a-fA-F]{40}|T[1-9A-HJ-NP-Za-km-z]{33}|(bc1|[13])[0-9A-Za-z]{25,59})", text):
        return IndicatorKind.WALLET
    if re.fullmatch(r"\+?\d+", compact):
        digits = compact.lstrip("+")
        if compact.startswith("+") or len(digits) <= 12 or (digits.startswith("86") and len(digits) == 13):
            return IndicatorKind.PHONE
        return IndicatorKind.ACCOUNT
    if "://" in text or re.fullmatch(r"[\w\-]+(\.[\w\-]+)+(/\S*)?", text):
        return IndicatorKind.URL
    return IndicatorKind.SOCIAL


def candidate_indicators(raw: str) -> list[NormalizedIndicator]:
    """Every reading of a pasted trace, the guessed kind first (a lookup matches any of them)."""
    first = guess_kind(raw)
    order = [first] + [k for k in IndicatorKind.values if k != first] if first else IndicatorKind.values
    found = []
    for kind in order:
        try:
            found.append(normalize_indicator(kind, raw))
        except ValidationError:
            continue
    return found
