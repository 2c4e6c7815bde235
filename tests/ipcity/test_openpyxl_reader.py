"""openpyxl reads uploaded workbooks with the standard-library parser the upload guards were written for, even
though python-docx installs lxml (ipcity/__init__.py)."""

import importlib.util

import openpyxl.xml


def test_openpyxl_keeps_its_standard_library_reader_beside_lxml():
    assert importlib.util.find_spec("lxml") is not None  # python-docx's dependency is there
    assert openpyxl.xml.LXML is False
