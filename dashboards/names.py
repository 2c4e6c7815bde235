"""Names in the reader's language: the documents name cities, departments and indicators in Chinese, and the
plan fixtures store an English name beside most of them (name_en); an English page shows that one."""

from django.utils.translation import get_language
from django.utils.translation import gettext as _


def local_name(named) -> str:
    """The stored English name on an English page when there is one, the document's own name otherwise."""
    english = getattr(named, "name_en", "")
    return english if english and (get_language() or "").startswith("en") else named.name


def lead_names(indicator) -> str:
    """An indicator's lead departments in the document's order, named in the reader's language."""
    return _("、").join(local_name(d) for d in indicator.leads)
