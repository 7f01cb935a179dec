"""The customer scorecard: measure values per quarter, imported, listed and judged.

* :mod:`workbook.measures.csv_file`: read and check a ``cycle,measure,value,note`` CSV;
* :mod:`workbook.measures.export`: write the values back out, safe for spreadsheets;
* :mod:`workbook.measures.scorecard`: per measure and cycle, the value, the change and
  whether it moved the wrong way, and :func:`~workbook.measures.scorecard.met` for
  judging a promise's target;
* :mod:`workbook.measures.command`: ``workbook measures import|list|export``.

The catalogue of measures itself is part of the framework file
(:class:`workbook.framework.Measure`); values live in ``store.measures``.
"""
