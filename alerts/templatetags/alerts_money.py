"""The money tree's rows, written in Python: a tree of 200 accounts rendered through template
tags cost a hundred milliseconds (a money filter, a URL and a few translations per node); this
writes the same markup with every value escaped (``format_html``) in a tenth of that."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def yuan(amount) -> str:
    """As the pages write an amount (``floatformat:2|intcomma``): ¥12,345.60."""
    return "¥{:,.2f}".format(amount)


@register.filter
def money(amount) -> str:
    return yuan(amount) if amount is not None else "—"


@register.simple_tag
def money_tree_rows(nodes, view):
    detail = reverse("alerts:detail", args=[0])[:-2]  # ".../requests/" + pk + "/"
    moving_badge = format_html('<div><span class="badge text-bg-warning" data-testid="still-moving">{}</span></div>',
                               _("仍在流动"))
    loop_note, rows = _("（回流上游，不再续查）"), []
    for node in nodes:
        edges = ""
        if view == "full":
            edges = format_html_join("", '<div class="text-muted">→ {} <span class="mono">{}</span>{}</div>', (
                (yuan(e["amount"]), e["to"], " " + loop_note if e["loop"] else (" · " + e["follow_on"] if e["follow_on"] else ""))
                for e in node["edges"]))
        deadline = timezone.localtime(node["deadline"]).strftime("%m-%d %H:%M") if node["deadline"] else "—"
        rows.append(format_html(
            '<tr data-testid="tree-node" data-number="{number}" class="{cls}">'
            '<td class="mono"><a href="{href}{id}/">{account}</a>{edges}</td><td>{institution}</td>'
            '<td class="text-end" data-testid="node-in">{amount_in}</td>'
            '<td class="text-end" data-testid="node-held">{held}</td>'
            '<td class="text-end" data-testid="node-moved">{moved}{moving}</td>'
            '<td class="d-none d-md-table-cell">{outcome}</td>'
            '<td class="text-nowrap d-none d-md-table-cell">{deadline}</td>'
            '<td data-testid="node-state">{state}</td></tr>',
            number=node["number"], cls="table-warning" if node["still_moving"] else "", href=detail, id=node["id"],
            account=node["account"], edges=edges, institution=node["institution"] or "?",
            amount_in=yuan(node["amount_in"]), held=money(node["held"]),
            moved=yuan(node["moved_on"]) if node["moved_on"] else "—", moving=moving_badge if node["still_moving"] else "",
            outcome=node["outcome_display"] or "—", deadline=deadline, state=node["state_display"],
        ))
    return mark_safe("".join(rows))
