"""What the forms of every app share."""

from django import forms


def bootstrap_widgets(form: forms.BaseForm, *, small: bool = False, skip: tuple[str, ...] = ()) -> forms.BaseForm:
    """Give each widget of ``form`` Bootstrap's class (unless it has one): the templates render
    ``{{ field }}``, and an unstyled input keeps the browser's own width, wider than its column
    on a phone. Lists of checkboxes are left to their template. Returns the form."""
    for name, field in form.fields.items():
        widget = field.widget
        if name in skip or isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm" if small else "form-select"
        else:
            css = "form-control form-control-sm" if small else "form-control"
        widget.attrs.setdefault("class", css)
    return form
