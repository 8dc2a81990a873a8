from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import DetailView, ListView

from .filtersets import AgencyFilterSet
from .models import Agency
from .selectors import agency_directory, sees_agency_members


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
