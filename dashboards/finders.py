"""plotly.js served as the static file vendor/plotly.min.js, straight from the installed plotly package.

The intranet has no CDN, and the Python package already ships the exact plotly.js it was built against
(plotly/package_data/plotly.min.js). A staticfiles finder needs no build step and no copy in the repository:
runserver and WhiteNoise (with DEBUG) find it through the finders, the test live server serves it the same
way, and `collectstatic` copies it into STATIC_ROOT for production, where WhiteNoise compresses it.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "plotly.min.js"
PREFIX = "vendor"
STATIC_PATH = f"{PREFIX}/{PLOTLY_JS}"


class PlotlyFinder(BaseFinder):
    """Finds vendor/plotly.min.js and nothing else (the package directory holds other files)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.location = Path(plotly.__file__).resolve().parent / "package_data"
        self.storage = FileSystemStorage(location=self.location)
        self.storage.prefix = PREFIX  # collectstatic and WhiteNoise put the listed file under vendor/

    def check(self, **kwargs):
        if not (self.location / PLOTLY_JS).is_file():
            return [
                Error(
                    f"plotly.js not found at {self.location / PLOTLY_JS}; reinstall the plotly package.",
                    id="dashboards.E001",
                )
            ]
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = self._check_deprecated_find_param(find_all=find_all, **kwargs)
        found = str(self.location / PLOTLY_JS) if path == STATIC_PATH else None
        if find_all:
            return [found] if found else []
        return found

    def list(self, ignore_patterns):
        yield PLOTLY_JS, self.storage
