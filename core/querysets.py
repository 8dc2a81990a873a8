"""The one place a visibility rule lives: ``Model.objects.restrict(user, action)``.

Every page, API view and socket asks the model's queryset for what the user may see instead of
filtering in the view (NetBox's pattern). A model defines ``_restrict`` on its queryset; rules
are expressed as filters on columns so that lists never check permissions row by row.
"""

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if getattr(user, "agency_id", None) is None:
            return self.none()
        return self._restrict(user, action)

    def _restrict(self, user, action: str):
        raise NotImplementedError(f"{self.model.__name__} has no visibility rule")
