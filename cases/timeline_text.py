"""A timeline line in the reader's language.

Timeline lines (``CaseEvent.message``) are stored as written, in the writer's language, with
their values filled in ("状态：待研判 → 研判中"). To show one in English, the line is matched
against the messages the services write (below, the same msgids) and translated with its values,
each value translated too where it is itself a label (a status, a request kind). A line that
matches nothing is shown as stored.
"""

import re
from functools import lru_cache

from django.utils.translation import gettext, gettext_noop

TEMPLATES = [
    gettext_noop("%(agency)s 已办结 %(number)s"),
    gettext_noop("%(agency)s 已签收 %(number)s"),
    gettext_noop("%(agency)s 答复非本网用户，重新路由"),
    gettext_noop("%(agency)s 退回：%(reason)s"),
    gettext_noop("%(from)s 又转入 %(amount)s，止付金额增至 %(total)s"),
    gettext_noop("%(source)s 预警：%(reason)s"),
    gettext_noop("一键止付：%(n)s 笔交易到达该账号"),
    gettext_noop("人工分派（%(user)s）：%(reason)s"),
    gettext_noop("优先级调整为 %(p)s：%(reason)s"),
    gettext_noop("共享给 %(agency)s"),
    gettext_noop("关联案件数达到 %(n)s，疑似公共号码/域名，暂停串并"),
    gettext_noop("冻结 %(number)s 已解除：%(reason)s"),
    gettext_noop("删除线索 %(v)s"),
    gettext_noop("发起%(kind)s请求 %(number)s，目标 %(target)s"),
    gettext_noop("已复核，保持不串并（%(user)s）"),
    gettext_noop("指派给 %(name)s"),
    gettext_noop("新增线索 %(v)s"),
    gettext_noop("有效期延至 %(until)s"),
    gettext_noop("状态：%(from)s → %(to)s"),
    gettext_noop("由预警转立：%(reason)s"),
    gettext_noop("疑似与案件 %(number)s 重复"),
    gettext_noop("请求 %(number)s 超时，已督办"),
    gettext_noop("资金自 %(account)s 转出，自动续查止付（第 %(layer)s 层）"),
    gettext_noop("资金自 %(from)s 转回上游账户 %(to)s，不再续查（防止循环）"),
]
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern, str]]:
    patterns = []
    for msgid in TEMPLATES:
        parts, last = [], 0
        for m in _PLACEHOLDER.finditer(msgid):
            parts.append(re.escape(msgid[last:m.start()]))
            parts.append("(?P<%s>.+?)" % m.group(1))
            last = m.end()
        parts.append(re.escape(msgid[last:]))
        patterns.append((re.compile("^" + "".join(parts) + "$", re.S), msgid))
    # The most specific (longest fixed text) first: "指派给 X" must not eat a longer message.
    return sorted(patterns, key=lambda p: -len(_PLACEHOLDER.sub("", p[1])))


def timeline_text(message: str) -> str:
    if not message:
        return ""
    translated = gettext(message)
    if translated != message:
        return translated
    for pattern, msgid in _patterns():
        match = pattern.match(message)
        if match:
            return gettext(msgid) % {k: gettext(v) for k, v in match.groupdict().items()}
    return message
