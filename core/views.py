import csv
import io

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView

from .filtersets import AuditEntryFilterSet

from .models import AuditEntry
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
    """The audit log for agency admins (their agency) and the leadership office (everything):
    who did what to which object, with a link, each entry's changes as before/after lines
    (core.audit_display), filtered by person, agency, object and kind, exported as CSV or XLSX."""

    template_name = "core/audit_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = AuditEntry.objects.restrict(self.request.user).select_related("agency")
        self.filterset = AuditEntryFilterSet(self.request.GET, queryset=qs, user=self.request.user)
        return self.filterset.qs if self.filterset.is_valid() else qs.none()

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter=self.filterset, query=query.urlencode(), **kwargs)


EXPORT_LIMIT = 50_000


class AuditExportView(AuditLogView):
    """The filtered log as a file (at most ``EXPORT_LIMIT`` rows); the export is itself audited."""

    def get(self, request, *args, **kwargs):
        from .audit_display import audit_lines, object_type_label, object_url
        from .choices import AuditAction
        from .services import audit_record

        fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        entries = self.get_queryset()[:EXPORT_LIMIT]
        header = [_("时间"), _("人员"), _("单位"), _("动作"), _("对象类型"), _("对象编号"), _("对象"), _("详情"), _("链接"), _("IP 地址")]
        actions = dict(AuditAction.choices)

        def rows():
            for e in entries.iterator(chunk_size=2000):
                url = object_url(e, request.user)
                yield [timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_username,
                       e.agency.name if e.agency_id and e.agency else "", str(actions.get(e.action, e.action)),
                       object_type_label(e.object_type), e.object_id, e.object_repr,
                       "\n".join(str(line) for line in audit_lines(e.detail, e.object_type)),
                       request.build_absolute_uri(url) if url else "", e.ip_address or ""]

        audit_record(actor=request.user, action=AuditAction.EXPORT, request=request,
                     detail={"file": "audit." + fmt, "filters": {k: v for k, v in request.GET.items() if k not in ("format", "page")}})
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        if fmt == "xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet(str(_("审计日志")))
            sheet.append([str(h) for h in header])
            for row in rows():
                sheet.append(row)
            buffer = io.BytesIO()
            book.save(buffer)
            response = HttpResponse(buffer.getvalue(),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        else:
            out = io.StringIO()
            out.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
            writer = csv.writer(out)
            writer.writerow([str(h) for h in header])
            writer.writerows(rows())
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-%s.%s"' % (stamp, fmt)
        response["Cache-Control"] = "private, no-store"
        return response


@login_required
def placeholder(request, title):
    """A page whose feature has not landed yet (kept so every role has somewhere to land)."""
    from django.shortcuts import render

    return render(request, "core/placeholder.html", {"title": title})
