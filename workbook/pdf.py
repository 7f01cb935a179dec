"""HTML to PDF with WeasyPrint, for every printed thing the workbook makes (charter, invite cards).

One place for the import guard: WeasyPrint needs Pango from the system, and
its absence must be one line saying what to do instead, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from workbook.errors import WorkbookError

__all__ = ["html_to_pdf"]


def html_to_pdf(html: str, base_dir: Path, *, what: str, instead: str) -> bytes:
    """``html`` as PDF bytes; relative URLs resolve in ``base_dir``.

    ``what`` names the document in the error ("PDF export", "invite cards");
    ``instead`` says what the user can do without WeasyPrint.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:  # OSError: Pango missing from the system
        raise WorkbookError(f"{what} need{'s' if not what.endswith('s') else ''} WeasyPrint and the Pango "
                            f"library ({error}); {instead}") from None
    pdf: bytes = HTML(string=html, base_url=str(base_dir)).write_pdf()
    return pdf
