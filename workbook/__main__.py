"""``python -m workbook``: the ``workbook`` command, for when the console script is not on PATH.

The tests start servers this way (``python -m workbook --db URL serve ...``),
so they run the very command a consultant runs, with its one set of options.
"""

from workbook.cli import main

main()
