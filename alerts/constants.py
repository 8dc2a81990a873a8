"""Which request kinds fit which target, and how a case's indicator becomes a request target."""

from .choices import RequestKind, TargetKind

# cases.IndicatorKind value -> the request target kind it is routed as (wallet and IP: no agency).
INDICATOR_TARGET = {
    "account": TargetKind.ACCOUNT,
    "phone": TargetKind.PHONE,
    "url": TargetKind.URL,
    "app": TargetKind.APP,
    "social": TargetKind.SOCIAL,
}

# The kinds the case page may issue, and the targets each accepts.
KIND_TARGETS = {
    RequestKind.STOP_PAYMENT: (TargetKind.ACCOUNT,),
    RequestKind.FREEZE: (TargetKind.ACCOUNT,),
    RequestKind.NUMBER_BLOCK: (TargetKind.PHONE,),
    RequestKind.TAKEDOWN: (TargetKind.URL, TargetKind.APP, TargetKind.SOCIAL),
    RequestKind.INFO_QUERY: (TargetKind.ACCOUNT, TargetKind.PHONE),
}

MONEY_KINDS = (RequestKind.STOP_PAYMENT, RequestKind.FREEZE)
ONWARD_FORMS = 1  # blank onward-transfer rows on the result form ("add a transfer" adds more)
INBOX_PAGE_SIZE = 50
BOARD_PAGE_SIZE = 50

# Response deadlines in minutes (acknowledge, complete) unless the leadership office set others
# (DeadlinePolicy).
DEFAULT_DEADLINES = {
    RequestKind.STOP_PAYMENT: (5, 30),
    RequestKind.FREEZE: (None, 24 * 60),
    RequestKind.NUMBER_BLOCK: (None, 120),
    RequestKind.TAKEDOWN: (None, 24 * 60),
    RequestKind.DISSUASION: (30, None),
    RequestKind.INFO_QUERY: (None, 24 * 60),
    RequestKind.FUND_RETURN: (24 * 60, 10 * 24 * 60),  # Pix MED returns within 11 days
}
