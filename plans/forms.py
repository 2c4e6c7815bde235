"""Form pieces every app's forms share."""

from django import forms


class DateInput(forms.DateInput):
    """A browser date input: it shows and posts only ISO dates (YYYY-MM-DD), whatever the page's language, so
    the value is always written that way (a localised "2023/12/31" is shown empty and posted empty)."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)
