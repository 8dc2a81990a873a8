from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from .models import AuditEntry
from .navigation import landing_url


@login_required
def home(request):
    """Sends each user to the page their work starts on (see core.navigation)."""
    return redirect(landing_url(request.user))


@never_cache
def healthz(request):
    """Database and Redis status for load balancers and ``docker compose`` health checks."""
    from django.conf import settings

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # the point is to report any failure, whatever it is
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        from .redis_client import redis_client

        try:
            redis_client().ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc.__class__.__name__}"
    else:
        checks["redis"] = "not configured (embedded mode)"
    healthy = all(v == "ok" or v.startswith("not configured") for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


class AuditLogView(LoginRequiredMixin, ListView):
    """The audit log for agency admins (their agency) and the leadership office (everything)."""

    template_name = "core/audit_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = AuditEntry.objects.restrict(self.request.user).select_related("agency")
        action = self.request.GET.get("action")
        if action:
            qs = qs.filter(action=action)
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(actor_username__icontains=q) | qs.filter(object_repr__icontains=q)
        return qs

    def get_context_data(self, **kwargs):
        from .choices import AuditAction

        ctx = super().get_context_data(**kwargs)
        ctx["actions"] = AuditAction.choices
        return ctx


@login_required
def placeholder(request, title):
    """A page whose feature has not landed yet (kept so every role has somewhere to land)."""
    from django.shortcuts import render

    return render(request, "core/placeholder.html", {"title": title})
