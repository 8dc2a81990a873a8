"""Template helpers of the cases pages."""

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

register = template.Library()


@register.simple_tag(takes_context=True)
def optional_include(context, template_name: str, **extra):
    """Render ``template_name`` if it exists, else nothing.

    Lets the case page carry a panel another app provides (alerts' requests and money trail)
    without breaking while that app has not shipped it. Only a missing template is swallowed:
    an error inside an existing template still surfaces.
    """
    try:
        tmpl = get_template(template_name)
    except TemplateDoesNotExist:
        return ""
    values = context.flatten()
    values.update(extra)
    return tmpl.render(values, context.get("request"))


@register.filter
def get_item(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def timeline_text(message):
    """A stored timeline line in the reader's language (cases.timeline_text)."""
    from cases.timeline_text import timeline_text as translate_line

    return translate_line(message)
