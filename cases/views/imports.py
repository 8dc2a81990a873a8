"""Bulk import: upload, preview with per-row errors, then all-or-nothing confirm."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.views import View

from .. import imports
from ..forms import ImportUploadForm
from .access import CaseFilerMixin

PREVIEW_LIMIT = 500  # rows shown in the preview table; errors are always all listed


def _reporting_agency(user):
    return user.agency


def _parse(request, path, info):
    """The file checked row by row, and its rows that report a case the user can see again."""
    result = imports.parse_file(path, info["format"])
    imports.flag_duplicates(result, request.user)
    return result


class ImportView(CaseFilerMixin, View):
    """GET: the upload form (and the preview of a stashed file); POST: upload and preview."""

    def get(self, request):
        found = imports.stashed_upload(request)
        if found and request.GET.get("preview"):
            info, path = found
            return self._preview(request, info, _parse(request, path, info))
        return render(request, "cases/import_upload.html", {"form": ImportUploadForm(), "columns": imports.COLUMNS})

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(
                request, "cases/import_upload.html", {"form": form, "columns": imports.COLUMNS}, status=400
            )
        upload = form.cleaned_data["file"]
        info = imports.stash_upload(request, upload, upload.import_format)
        found = imports.stashed_upload(request)
        return self._preview(request, info, _parse(request, found[1], info))

    def _preview(self, request, info, result, status=200):
        error_rows = [r for r in result.rows if not r.ok]
        return render(
            request,
            "cases/import_preview.html",
            {
                "info": info,
                "result": result,
                "rows": result.rows[:PREVIEW_LIMIT],
                "hidden_rows": max(0, len(result.rows) - PREVIEW_LIMIT),
                "error_rows": error_rows,
                "duplicate_rows": [r for r in result.rows if r.duplicate_of],
                "columns": imports.COLUMNS,
            },
            status=status,
        )


class ImportConfirmView(CaseFilerMixin, View):
    """Import the stashed file: every row in one transaction, or nothing."""

    def post(self, request):
        found = imports.stashed_upload(request)
        if found is None or request.POST.get("token") != found[0]["token"]:
            messages.error(request, _t("导入文件已失效，请重新上传。"))
            return redirect("cases:import")
        info, path = found
        if _reporting_agency(request.user) is None:
            messages.error(request, _t("请使用所属受理单位的账号导入。"))
            return redirect("%s?preview=1" % reverse("cases:import"))
        result = _parse(request, path, info)
        if not result.ok:
            # The file is re-checked at confirm time: reference data may have changed since.
            messages.error(request, _t("文件存在错误，未导入任何案件。"))
            return ImportView()._preview(request, info, result, status=400)
        try:
            skip = bool(request.POST.get("skip_duplicates"))
            created = imports.import_rows(
                rows=result.rows, actor=request.user, reporting_agency=_reporting_agency(request.user),
                skip_duplicates=skip,
            )
        except imports.ImportFailed as exc:
            messages.error(
                request,
                _t("第 %(line)s 行导入失败：%(error)s。整个文件未导入，请修改后重试。")
                % {"line": exc.line, "error": exc.message},
            )
            return redirect("%s?preview=1" % reverse("cases:import"))
        imports.discard_upload(request)
        linked = sum(1 for c in created if c.ring_id and c.ring.case_count > 1)
        skipped = result.duplicate_count if skip else 0
        if not created:
            messages.info(request, _t("文件中的 %(n)s 行都是已有案件，未导入任何案件。") % {"n": skipped})
            return redirect("cases:queue")
        messages.success(
            request,
            _t("已导入 %(n)s 起案件，其中 %(linked)s 起与其他案件串并。") % {"n": len(created), "linked": linked},
        )
        if skipped:
            messages.info(request, _t("跳过了 %(n)s 行已有案件。") % {"n": skipped})
        return redirect("cases:queue")


class ImportCancelView(CaseFilerMixin, View):
    def post(self, request):
        imports.discard_upload(request)
        return redirect("cases:import")


class ImportTemplateView(CaseFilerMixin, View):
    def get(self, request):
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="cases-import-template.csv"'
        return response
