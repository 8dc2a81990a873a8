"""A per-address budget for login attempts (the form and the API token endpoint).

django-axes locks an *account* after ``AXES_FAILURE_LIMIT`` failures from anywhere. What that
does not catch is one client trying one password on many accounts (spraying): this budget
slows that down per client address, without locking anyone out. It counts POSTs by the
trusted client address (core.addresses), so a forged ``X-Forwarded-For`` does not buy a new
budget (DRF's own throttles key on the whole header unless ``NUM_PROXIES`` is set).
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .addresses import client_ip


class LoginRateThrottle(SimpleRateThrottle):
    scope = "login"

    def get_rate(self):
        return settings.LOGIN_RATE_PER_ADDRESS

    def get_cache_key(self, request, view=None):
        if request.method != "POST":
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}
