"""The one visibility path: `Model.objects.visible_to(user)` on every model a user may read.

The rule itself is accounts.access.city_filter (a user sees the cities they belong to or are assigned to);
each model names the path from itself to its city, and the few models with a finer rule (unapproved
figures, task updates, supervision items) add it in their own queryset. Pages, API views, exports and jobs
all read through these, as NetBox's RestrictedQuerySet.restrict() is the one way in there.
"""

from django.db import models

from accounts.access import city_filter


class VisibleQuerySet(models.QuerySet):
    city_path = "city"
    """The lookup from this model to its City (`pk` for City itself)."""

    def visible_to(self, user):
        return self.filter(city_filter(user, self.city_path))


def visible_manager(city_path: str) -> models.Manager:
    """A manager whose querysets have visible_to(user) along `city_path`."""
    queryset = type("VisibleQuerySet", (VisibleQuerySet,), {"city_path": city_path, "__module__": __name__})
    return models.Manager.from_queryset(queryset)()
