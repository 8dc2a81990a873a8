from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from .models import AuditEntry, can_browse_audit
from .navigation import landing_url
from .throttling import LoginRateThrottle


@login_required
def home(request):
    """Sends each user to the page their work starts on (see core.navigation)."""
    return redirect(landing_url(request.user))


INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"}


def private_file_response(field_file, *, filename: str | None = None, content_type: str | None = None) -> FileResponse:
    """An upload, for a viewer the caller has already checked (core.storage): kept out of shared
    caches, never type-sniffed, shown inline only as an image or a PDF (anything else downloads)."""
    import mimetypes
    import os

    content_type = content_type or mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(field_file.open("rb"), content_type=content_type, as_attachment=content_type not in INLINE_TYPES,
                            filename=filename or os.path.basename(field_file.name))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class LoginView(auth_views.LoginView):
    """Django's login form, with the per-address budget of login attempts (core.throttling);
    django-axes locks the account itself."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not LoginRateThrottle().allow_request(request, self):
            return render(request, "registration/throttled.html", status=429)
        return super().post(request, *args, **kwargs)


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

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_browse_audit(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

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
