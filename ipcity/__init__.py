import os

# python-docx (the written 通报) brings lxml, and openpyxl switches its reader to lxml whenever lxml is
# installed. The figure upload's guards (figures: part sizes, DTDs, huge strings, cached formula values)
# are written for and tested against openpyxl's standard-library reader: keep that one.
os.environ["OPENPYXL_LXML"] = "False"

from .celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
