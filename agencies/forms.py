"""Forms of the agency admin's console (agencies.views): thin, the services check again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import bootstrap_widgets

from .choices import Role, RoutingKeyKind
from .models import Agency, User


class _Styled:
    """Bootstrap's classes on every widget (the shared form_fields include renders ``{{ field }}``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap_widgets(self)


class _PasswordPair(_Styled, forms.Form):
    password1 = forms.CharField(label=_("新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("确认新密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class UserCreateForm(_PasswordPair):
    username = forms.CharField(label=_("用户名"), max_length=150)
    first_name = forms.CharField(label=_("姓名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices, initial=Role.OFFICER)
    phone = forms.CharField(label=_("手机"), max_length=30, required=False)

    field_order = ["username", "first_name", "role", "phone", "password1", "password2"]


class UserEditForm(_Styled, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "role", "phone"]
        labels = {"first_name": _("姓名")}


class PasswordResetForm(_PasswordPair):
    pass


class DutyForm(_Styled, forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["duty_contact", "duty_phone"]


class RoutingKeyForm(_Styled, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=RoutingKeyKind.choices)
    value = forms.CharField(label=_("值"), max_length=100)
    note = forms.CharField(label=_("备注"), max_length=100, required=False)
    request_approval = forms.BooleanField(
        label=_("申请反诈中心审批"), required=False,
        help_text=_("与其他单位的路由键重叠时勾选：保存后待反诈中心审批，审批前不参与路由。"),
    )


class ConsoleImportForm(_Styled, forms.Form):
    file = forms.FileField(label=_("CSV 文件"), help_text=_("表头 kind,value,note；kind 为路由键类型或 duty（值班：value 为联系人，note 为电话）。"))
    request_approval = forms.BooleanField(
        label=_("重叠的路由键申请反诈中心审批"), required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise forms.ValidationError(_("文件不能超过 1 MB。"))
        return upload
