"""Cells that are safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is taken for
a formula by Excel, LibreOffice and Google Sheets; such cells get a leading ``'``, which
spreadsheets show as text and do not evaluate.

>>> safe_cell('=HYPERLINK("http://x")')
'\\'=HYPERLINK("http://x")'
>>> safe_cell(["a", "b"])
'a; b'
"""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The text of a CSV cell, lists joined with ``; ``, formulas neutralised."""
    text = "; ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
