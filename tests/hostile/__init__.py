"""A hostile corpus: strings and files that have broken (or could break) the workbook.

* :mod:`hostile.strings` - at least 1,000 strings (Unicode edge cases, markup and
  script injection, spreadsheet formulas, SQL, very long text, RTL overrides,
  emoji ZWJ sequences, Persian with ZWNJ, NUL, lone surrogates...), each with
  what the text rule must do with it: accept, refuse, or either.
* :mod:`hostile.files` - at least 100 people CSV and framework YAML files
  (encodings, BOMs, huge lines, deep nesting, binary, wrong delimiters...).
* :mod:`hostile.runner` - runs them through every CLI entry, every package call
  the apps make and every export, and counts what went wrong.

``tests/test_hostile.py`` runs a deterministic slice on every test run;
``benchmarks/hostile.py`` runs the whole corpus and prints the figures.
"""
