"""What the browser tests check of the Content-Security-Policy (tests/console/english_crawl.py on
the main pages, tests/foundation/test_browser_csp.py on the rest)."""


def strict(policy: str) -> bool:
    """Scripts only from our own origin, and nothing ``unsafe-*`` anywhere in the policy."""
    return "script-src 'self';" in policy + ";" and "unsafe" not in policy


def watch_refusals(page) -> list[str]:
    """The list chromium's CSP refusals on ``page`` are appended to, as they happen."""
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    return refused
