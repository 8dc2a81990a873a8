from django import template

from core.audit_display import audit_lines as _audit_lines
from core.audit_display import object_type_label, object_url

register = template.Library()


@register.filter
def audit_lines(entry):
    return _audit_lines(entry.detail, entry.object_type)


@register.filter
def audit_object_type(entry):
    return object_type_label(entry.object_type)


@register.simple_tag(takes_context=True)
def audit_object_url(context, entry):
    request = context.get("request")
    return object_url(entry, getattr(request, "user", None))
