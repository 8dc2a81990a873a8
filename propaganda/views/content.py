from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from core.forms import bootstrap_widgets

from .. import access, services
from ..filtersets import ContentFilterSet
from ..forms import ContentForm, ReviewForm, put_errors
from ..models import ContentItem
from .common import MemberMixin


class ContentListView(MemberMixin, ListView):
    """The library: approved items for everyone; drafts for their authors and the department."""

    template_name = "propaganda/content_list.html"
    paginate_by = 30

    def get_queryset(self):
        qs = ContentItem.objects.restrict(self.request.user).select_related("typology", "agency")
        self.filterset = ContentFilterSet(self.request.GET or None, queryset=qs)
        bootstrap_widgets(self.filterset.form, small=True)
        return self.filterset.qs if self.filterset.is_bound else qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(filter=self.filterset, can_review=access.can_review_content(self.request.user),
                   can_submit=access.can_log_outreach(self.request.user))
        return ctx


class ContentCreateView(MemberMixin, View):
    allowed = access.can_log_outreach

    def get(self, request):
        return render(request, "propaganda/content_form.html", {"form": ContentForm()})

    def post(self, request):
        form = ContentForm(request.POST)
        if form.is_valid():
            try:
                services.content_create(actor=request.user, request=request, **form.cleaned_data)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(request, gettext("素材已提交，宣传部审核通过后即可使用。"))
                return redirect("propaganda:content_list")
        return render(request, "propaganda/content_form.html", {"form": form}, status=400)


@login_required
@require_POST
def content_review_view(request, pk, decision):
    if decision not in ("approve", "reject"):
        raise Http404
    if not access.can_review_content(request.user):
        raise PermissionDenied
    item = get_object_or_404(ContentItem.objects.restrict(request.user), pk=pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.content_review(item=item, actor=request.user, approve=decision == "approve",
                                note=form.cleaned_data.get("note", ""), request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, gettext("审核结果已保存。"))
    return redirect("propaganda:content_list")
