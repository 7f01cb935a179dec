"""``python -m workbook.serve``: the same options as ``workbook serve``."""

from workbook.serve.server import _main

_main()
