"""The audit log as a person reads it: "who did what to which object", each object with a link,
and the entry's detail as labelled lines with each changed field's before and after, in the
reader's language, never a Python dict.

Services write ``detail`` in a few shapes, all read here:
- ``{"changes": {field: {"before": x, "after": y}}}`` (the console's writes);
- ``{"changes": [{"field", "label", "before", "after"}]}`` (a case edit, cases.services_edit);
- ``{"before": {field: x}, "after": {field: y}}`` or ``{"before": {field: x}}`` alone;
- ``{"from": x, "to": y}`` (a status transition);
- anything else: one line per key.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from agencies.choices import Role, RoutingKeyKind, RoutingKeyStatus

# Labels of the keys services write into ``detail`` (a key not here shows as written).
FIELD_LABELS = {
    "username": _("用户名"), "first_name": _("姓名"), "role": _("角色"), "phone": _("手机"),
    "is_active": _("启用"), "password": _("密码"), "sessions": _("会话"), "token": _("API 令牌"),
    "reason": _("原因"), "duty_contact": _("值班联系人"), "duty_phone": _("值班电话"),
    "change": _("变更"), "routing_key": _("路由键"), "agency": _("单位"), "kind": _("类型"),
    "value": _("值"), "note": _("备注"), "status": _("状态"), "overlaps": _("重叠"),
    "move": _("操作"), "recipients": _("接收单位数"), "fields": _("修改的字段"), "field": _("字段"),
    "case_id": _("案件"), "request": _("请求"), "file": _("文件"), "report": _("报告"),
    "region": _("区域"), "deadline": _("期限"), "priority": _("优先级"), "assigned_to": _("指派给"),
    "shared_with": _("共享给"), "indicator_added": _("添加线索"), "indicator_removed": _("移除线索"),
    "review": _("复核"), "redraft": _("重新起草"), "bulk": _("批量"), "ack": _("签收时限（分钟）"),
    "complete": _("办结时限（分钟）"), "amount_secured": _("止付金额"), "weights": _("权重"),
    "from": _("起始"), "to": _("结果"), "loss_amount": _("损失金额"), "occurred_at": _("发案时间"),
    "title": _("标题"), "summary": _("简要案情"),
}

# Values that are codes of a choice: shown by their label.
VALUE_LABELS = {
    "role": dict(Role.choices),
    "kind": dict(RoutingKeyKind.choices),
    "status": dict(RoutingKeyStatus.choices),
}
WORDS = {
    "reset": _("已重置"), "ended": _("已全部结束"), "revoked": _("已吊销"), "created": _("新增"),
    "updated": _("修改"), "deleted": _("删除"), "approved": _("批准"), "disabled": _("停用"),
    "password_changed": _("密码修改"), "forced_logout": _("强制退出"), "escalated": _("升级"),
    "closed": _("关闭"), "delisted": _("摘牌"), "dismissed": _("已排除"),
}

# Where an object of each type is shown: (url name, how to find the pk in the entry).
OBJECT_LINKS = {
    "agencies.user": ("agencies:console_user", None),
    "agencies.agency": ("agencies:detail", None),
    "agencies.routingkey": ("agencies:detail", "agency.id"),
    "cases.case": ("cases:detail", None),
    "cases.victim": ("cases:detail", "case_id"),
    "cases.transaction": ("cases:detail", "case_id"),
    "alerts.request": ("alerts:detail", None),
    "propaganda.campaign": ("propaganda:campaign_detail", None),
    "propaganda.outreach": ("propaganda:outreach_detail", None),
    "propaganda.bulletin": ("propaganda:bulletin_detail", None),
}


@dataclass(frozen=True)
class AuditLine:
    """One line of an entry's detail: a plain value, or a field's before and after."""

    label: str
    text: str = ""
    before: str | None = None
    after: str | None = None

    @property
    def is_change(self) -> bool:
        return self.before is not None or self.after is not None

    def __str__(self) -> str:
        if self.is_change:
            return "%s: %s → %s" % (self.label, self.before if self.before is not None else "—",
                                    self.after if self.after is not None else "—")
        return "%s: %s" % (self.label, self.text)


STATUS_KEYS = ("status", "from", "to", "move")


@lru_cache(maxsize=128)
def model_choices(object_type: str) -> dict[str, dict]:
    """{field name: {value: label}} of the object's model fields that have choices; the status
    field's serve a transition's from/to and a move's name too."""
    try:
        model = apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        model = None
    if model is None:
        return {}
    out = {f.name: {str(k): v for k, v in f.flatchoices} for f in model._meta.concrete_fields if f.choices}
    if "status" in out:
        for key in STATUS_KEYS[1:]:
            out.setdefault(key, out["status"])
    return out


def label_of(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


def show_value(key: str, value, choices_of: dict | None = None) -> str:
    """A stored value as words: choice labels (of the object's model first), yes/no, names of
    nested objects."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, str):
        choices = (choices_of or {}).get(key)
        if choices and value in choices:
            return str(choices[value])
        choices = VALUE_LABELS.get(key)
        if choices and value in choices:
            return str(choices[value])
        if value in WORDS:
            return str(WORDS[value])
        try:
            return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M") if "T" in value and len(value) >= 16 else value
        except ValueError:
            return value
    if isinstance(value, list):
        return pgettext("list separator", "、").join(show_value(key, v, choices_of) for v in value) or "—"
    if isinstance(value, dict):
        if "name" in value:
            return str(value["name"])
        if "agency" in value and "value" in value:
            return "%s（%s）" % (value["agency"], value["value"])
        return pgettext("list separator", "；").join("%s %s" % (label_of(k), show_value(k, v, choices_of))
                                                     for k, v in value.items())
    return str(value)


def audit_lines(detail: dict | None, object_type: str = "") -> list[AuditLine]:
    """The entry's detail as lines a person reads, changed fields first; values of the object's
    choice fields by their labels."""
    if not isinstance(detail, dict) or not detail:
        return []
    detail = dict(detail)
    choices_of = model_choices(object_type)

    def shown(key, value):
        return show_value(key, value, choices_of)

    lines: list[AuditLine] = []
    changes = detail.pop("changes", None)
    if isinstance(changes, dict):
        for key, change in changes.items():
            change = change if isinstance(change, dict) else {"after": change}
            lines.append(AuditLine(label_of(key), before=shown(key, change.get("before")),
                                   after=shown(key, change.get("after"))))
    elif isinstance(changes, list):
        for change in changes:
            if isinstance(change, dict):
                key = change.get("field", "")
                lines.append(AuditLine(str(change.get("label") or label_of(key)), before=shown(key, change.get("before")),
                                       after=shown(key, change.get("after"))))
    before, after = detail.pop("before", None), detail.get("after")
    if isinstance(before, dict):
        if isinstance(after, dict):
            detail.pop("after")
            keys = list(dict.fromkeys([*before, *after]))
            for key in keys:
                lines.append(AuditLine(label_of(key), before=shown(key, before.get(key)),
                                       after=shown(key, after.get(key))))
        else:
            for key, old in before.items():
                new = detail.pop(key, None) if key in detail else None
                lines.append(AuditLine(label_of(key), before=shown(key, old),
                                       after=shown(key, new) if new is not None else None))
    elif before is not None:
        detail["before"] = before
    if "from" in detail and "to" in detail:
        old, new = detail.pop("from"), detail.pop("to")
        lines.append(AuditLine(str(_("状态")), before=shown("status", old), after=shown("status", new)))
    for key, value in detail.items():
        lines.append(AuditLine(label_of(key), text=shown(key, value)))
    return lines


def object_type_label(object_type: str) -> str:
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def object_url(entry, viewer=None) -> str | None:
    """A link to the entry's object, when the product has a page for it."""
    target = OBJECT_LINKS.get(entry.object_type)
    if target is None or not entry.object_id:
        return None
    name, path = target
    if name == "agencies:console_user" and (viewer is None or viewer.role != Role.AGENCY_ADMIN
                                            or viewer.agency_id != entry.agency_id):
        return None  # the console shows one's own agency's users only
    pk = entry.object_id
    if path is not None:
        value = entry.detail if isinstance(entry.detail, dict) else {}
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        pk = value
    try:
        return reverse(name, args=[int(pk)]) if pk is not None else None
    except (NoReverseMatch, TypeError, ValueError):
        return None
