"""The refusals a service may answer with, whoever called it (a page, the API, a job, an import).

The API turns them into 403 / 400 / 409 JSON (ipcity.exceptions), pages into a message next to the field.
"""


class DomainError(Exception):
    """A refusal with a message for the person who asked."""


class Forbidden(DomainError):
    """The user may not do this (403)."""


class Invalid(DomainError):
    """The input is wrong; `fields` maps each field to its messages ("" for the whole input) (400)."""

    def __init__(self, fields: dict[str, list[str]] | str):
        self.fields = {"": [fields]} if isinstance(fields, str) else fields
        super().__init__("；".join(m for messages in self.fields.values() for m in messages))


class Conflict(DomainError):
    """Somebody changed the thing meanwhile; reload and try again (409)."""
