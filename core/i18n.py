"""Translation without Django: the core marks its words, the indicators app plugs in gettext at start."""


def _(message: str) -> str:
    """Marks a label for the translation catalogue (makemessages reads `_`) without translating it."""
    return message


def _untranslated(message: str) -> str:
    return message


translate = _untranslated
"""Turns a marked label into the reader's language; indicators.apps sets Django's gettext here."""


def translated(message: str) -> str:
    """The marked label in the reader's language (looked up at call time, after translate is set)."""
    return translate(message)
