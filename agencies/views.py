from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from .choices import RoutingKeyStatus
from .filtersets import AgencyFilterSet
from .forms import ConsoleImportForm, DutyForm, PasswordResetForm, RoutingKeyForm, UserCreateForm, UserEditForm
from .models import Agency, RoutingKey, User
from .selectors import agency_directory, routing_key_overlaps, sees_agency_members
from .services import (
    _authorize_routing_key_change,
    agency_duty_update,
    routing_key_approve,
    routing_key_create,
    routing_key_delete,
    user_create,
    user_force_logout,
    user_password_reset,
    user_set_active,
    user_update,
)


class AgencyDirectoryView(LoginRequiredMixin, ListView):
    """Every member of the joint meeting: kind, region, routing keys, on-duty contact."""

    template_name = "agencies/directory.html"
    paginate_by = 100

    def get_queryset(self):
        qs = (
            Agency.objects.restrict(self.request.user)
            .select_related("region")
            .prefetch_related("routing_keys")
        )
        self.filterset = AgencyFilterSet(self.request.GET, queryset=qs)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class AgencyDetailView(LoginRequiredMixin, DetailView):
    template_name = "agencies/detail.html"

    def get_queryset(self):
        return agency_directory(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(show_members=sees_agency_members(self.request.user), **kwargs)


class PendingRoutingKeysView(LoginRequiredMixin, TemplateView):
    """The anti-fraud centre's queue of routing keys that overlap another agency's, awaiting
    approval with a reason (only a centre's analysts and supervisors reach it)."""

    template_name = "agencies/routing_keys_pending.html"

    def get(self, request, *args, **kwargs):
        _authorize_routing_key_change(request.user, None, "approve")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        keys = list(RoutingKey.objects.filter(status=RoutingKeyStatus.PENDING).select_related("agency").order_by("id"))
        for key in keys:
            key.overlapping = routing_key_overlaps(kind=key.kind, value=key.value, agency_id=key.agency_id)
        return super().get_context_data(keys=keys, **kwargs)


class RoutingKeyApproveView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        key = get_object_or_404(RoutingKey, pk=pk)
        try:
            routing_key_approve(actor=request.user, key=key, reason=request.POST.get("reason", ""), request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已批准路由键 %(value)s，即时生效。") % {"value": key.value})
        return redirect("agencies:routing_keys_pending")


# ---------------------------------------------------------------- the agency admin's console
#
# Only the admin's own agency: every queryset is ``restrict(user, "change")`` (an agency admin's
# own agency), the URL's policy action is ``console.view`` / ``user.manage`` (core.policy_routes)
# and the services authorize each write again with its object.


class ConsoleMixin(LoginRequiredMixin):
    def users(self):
        return User.objects.restrict(self.request.user, "change").filter(agency_id=self.request.user.agency_id)

    def managed_user(self, pk: int) -> User:
        return get_object_or_404(self.users(), pk=pk)

    def _fail(self, exc: ValidationError, form=None):
        if form is not None and hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                name = "password1" if name == "password" else name  # the services' name, the form's pair
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        else:
            messages.error(self.request, " ".join(exc.messages))


class ConsoleView(ConsoleMixin, TemplateView):
    """The console's front page: the agency's users, duty contact and routing keys."""

    template_name = "agencies/console.html"

    def get_context_data(self, **kwargs):
        agency = self.request.user.agency
        return super().get_context_data(
            agency=agency,
            users=self.users().order_by("-is_active", "username"),
            keys=RoutingKey.objects.restrict(self.request.user, "change").filter(agency=agency).order_by("kind", "value"),
            duty_form=kwargs.pop("duty_form", None) or DutyForm(instance=agency),
            key_form=kwargs.pop("key_form", None) or RoutingKeyForm(),
            import_form=ConsoleImportForm(),
            **kwargs,
        )

    @classmethod
    def render_with(cls, request, **forms):
        """The console page again, showing a posted form with its errors."""
        view = cls()
        view.setup(request)
        return view.render_to_response(view.get_context_data(**forms), status=400)


class ConsoleDutyView(ConsoleMixin, View):
    def post(self, request):
        form = DutyForm(request.POST, instance=Agency.objects.get(pk=request.user.agency_id))
        if form.is_valid():
            agency_duty_update(actor=request.user, agency=request.user.agency, request=request,
                               duty_contact=form.cleaned_data["duty_contact"], duty_phone=form.cleaned_data["duty_phone"])
            messages.success(request, _("值班信息已保存。"))
            return redirect("agencies:console")
        return ConsoleView.render_with(request, duty_form=form)


class ConsoleRoutingKeyAddView(ConsoleMixin, View):
    def post(self, request):
        form = RoutingKeyForm(request.POST)
        if form.is_valid():
            try:
                key = routing_key_create(actor=request.user, agency=request.user.agency, request=request, **form.cleaned_data)
            except ValidationError as exc:
                self._fail(exc, form)
            else:
                messages.success(request, _("已添加路由键 %(value)s。") % {"value": key.value})
                return redirect("agencies:console")
        return ConsoleView.render_with(request, key_form=form)


class ConsoleRoutingKeyDeleteView(ConsoleMixin, View):
    def post(self, request, pk: int):
        key = get_object_or_404(RoutingKey.objects.restrict(request.user, "change").filter(agency_id=request.user.agency_id), pk=pk)
        routing_key_delete(actor=request.user, key=key, request=request)
        messages.success(request, _("已删除路由键 %(value)s。") % {"value": key.value})
        return redirect("agencies:console")


class ConsoleUserCreateView(ConsoleMixin, FormView):
    template_name = "agencies/console_user_new.html"
    form_class = UserCreateForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = user_create(actor=self.request.user, username=data["username"], first_name=data["first_name"],
                               role=data["role"], phone=data["phone"], password=data["password1"], request=self.request)
        except ValidationError as exc:
            self._fail(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, _("已创建用户 %(username)s。") % {"username": user.username})
        return redirect("agencies:console_user", pk=user.pk)


class ConsoleUserView(ConsoleMixin, TemplateView):
    """One user: name, role and phone; a new password; disable or enable; end the sessions."""

    template_name = "agencies/console_user.html"

    def get_context_data(self, **kwargs):
        from core.models import AuditEntry

        person = kwargs.pop("person", None) or self.managed_user(self.kwargs["pk"])
        return super().get_context_data(
            person=person,
            edit_form=kwargs.pop("edit_form", None) or UserEditForm(instance=person),
            password_form=kwargs.pop("password_form", None) or PasswordResetForm(),
            history=AuditEntry.objects.restrict(self.request.user).filter(
                object_type=User._meta.label_lower, object_id=str(person.pk))[:20],
            **kwargs,
        )

    def post(self, request, pk: int):
        person = self.managed_user(pk)
        action = request.POST.get("action", "")
        edit_form = password_form = None
        try:
            if action == "edit":
                edit_form = UserEditForm(request.POST, instance=User.objects.get(pk=person.pk))
                if edit_form.is_valid():
                    user_update(actor=request.user, user=person, request=request, **edit_form.cleaned_data)
                    messages.success(request, _("已保存。"))
                    return redirect("agencies:console_user", pk=pk)
            elif action == "password":
                password_form = PasswordResetForm(request.POST)
                if password_form.is_valid():
                    user_password_reset(actor=request.user, user=person, password=password_form.cleaned_data["password1"],
                                        request=request)
                    messages.success(request, _("密码已重置，该用户的会话和 API 令牌已失效。"))
                    return redirect("agencies:console_user", pk=pk)
            elif action in ("disable", "enable"):
                user_set_active(actor=request.user, user=person, active=action == "enable", request=request)
                messages.success(request, _("用户已停用，不能再登录。") if action == "disable" else _("用户已启用。"))
                return redirect("agencies:console_user", pk=pk)
            elif action == "logout":
                user_force_logout(actor=request.user, user=person, request=request)
                messages.success(request, _("已强制该用户退出所有会话。"))
                return redirect("agencies:console_user", pk=pk)
            else:
                messages.error(request, _("未知的操作。"))
                return redirect("agencies:console_user", pk=pk)
        except ValidationError as exc:
            self._fail(exc, edit_form or password_form)
        person.refresh_from_db()
        return self.render_to_response(self.get_context_data(person=person, edit_form=edit_form, password_form=password_form))


class ConsoleImportView(ConsoleMixin, FormView):
    """Routing keys and the duty contact from a CSV file: all lines or none (agencies.imports)."""

    template_name = "agencies/console_import.html"
    form_class = ConsoleImportForm

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            response = HttpResponse("\ufeffkind,value,note\ndomain,example.com,\nduty,张三,0554-0000000\n",
                                    content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="console-import.csv"'
            return response
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        from .imports import console_import_apply

        result = console_import_apply(actor=self.request.user, data=form.cleaned_data["file"].read(),
                                      request_approval=form.cleaned_data["request_approval"], request=self.request)
        if result.errors:
            return self.render_to_response(self.get_context_data(form=form, errors=result.errors))
        messages.success(self.request, _("已导入 %(count)d 行。") % {"count": result.saved})
        return redirect("agencies:console")
