"""The victim's transactions on the case page: their paying account revealed on request."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from ..models import Transaction
from .access import require_reader, visible_cases


@login_required
@require_POST
def transaction_reveal_view(request, pk):
    """The paying account of one transaction in full; the service writes the audit line (404
    outside the cases the user may see)."""
    from ..services import transaction_reveal

    require_reader(request.user)
    txn = get_object_or_404(Transaction.objects.select_related("case"), pk=pk, case__in=visible_cases(request.user))
    value = transaction_reveal(transaction=txn, actor=request.user, request=request)
    return render(request, "cases/_revealed.html", {"value": value, "field": "payer_account"})
