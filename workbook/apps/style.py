"""The apps' own CSS, shipped with the widgets so they look right anywhere.

The Voila template sets the page; this styles what the apps draw: readable
type, high contrast (WCAG AA colours), big targets and visible keyboard focus,
and rating choices that sit in a row on wide screens and wrap on a phone.

Every field stays inside its column (ipywidgets adds a margin to a 100 %
wide box, which pushed its right edge out of sight), typed text uses the
page's font (ipywidgets' default is a typewriter font), and below 600 px a
field's label sits above its box, buttons and labels wrap instead of being
cut, and a table scrolls sideways inside itself rather than being cut off.
"""

from __future__ import annotations

from typing import Final

from workbook.html import Markup, html

__all__ = ["ACCENT", "APP_CSS", "GOOD", "INK", "MUTED", "WARN"]

INK = "#1b1f24"
MUTED = "#4a5260"
ACCENT = "#0b5cad"
GOOD = "#1f6f3a"
WARN = "#8a4b00"

APP_CSS: Final[Markup] = html("""
<style>
.wb-app {{ max-width: 46rem; margin: 0 auto; color: {INK}; font-size: 1.05rem; line-height: 1.5; }}
.wb-app h1 {{ font-size: 1.7rem; margin: 0.2em 0 0.3em; line-height: 1.25; }}
.wb-app h2 {{ font-size: 1.35rem; margin: 0.6em 0 0.2em; }}
.wb-app p, .wb-app li {{ font-size: 1.05rem; }}
.wb-muted {{ color: {MUTED}; }}
.wb-card {{ border: 1px solid #c9ced6; border-radius: 10px; padding: 0.9rem 1rem; margin: 0.6rem 0;
            background: #fff; }}
.wb-statement .widget-radio-box {{ flex-direction: row; flex-wrap: wrap; gap: 0.25rem 0.4rem; }}
.wb-statement .widget-radio-box label {{ border: 1px solid #9aa3ae; border-radius: 8px; padding: 0.35rem 0.7rem;
            margin: 0 !important; cursor: pointer; font-size: 1rem; line-height: 1.6; min-height: 2.2rem;
            display: inline-flex; flex-direction: row-reverse; align-items: center; gap: 0.4rem; }}
.wb-statement .widget-radio-box input {{ width: 1.1rem; height: 1.1rem; margin: 0; }}
.wb-statement .widget-radio-box label:has(input:checked) {{ background: #e3eefb; border-color: {ACCENT};
            font-weight: 600; }}
.wb-statement .widget-radio {{ width: 100%; }}
.wb-statement .widget-radio > .widget-label {{ display: none; }}
.wb-app .widget-button, .wb-app .jupyter-button {{ font-size: 1rem; height: auto; min-height: 2.4rem;
            width: auto; min-width: 6rem; white-space: nowrap;
            padding: 0.3rem 1rem; border-radius: 8px; }}
.wb-app .mod-primary {{ background: {ACCENT}; color: #fff; }}
.wb-app :focus-visible, .wb-app input:focus-visible + span, .wb-app button:focus {{
            outline: 3px solid #ffbf47 !important; outline-offset: 2px; }}
.wb-app textarea {{ font-size: 1rem; min-height: 4.5rem; width: 100%; }}
.wb-status {{ font-size: 0.95rem; min-height: 1.5rem; }}
.wb-ok {{ color: {GOOD}; }}
.wb-warn {{ color: {WARN}; font-weight: 600; }}
.wb-error {{ border-left: 5px solid #b3261e; background: #fdf0ef; padding: 0.8rem 1rem; border-radius: 6px; }}
.wb-note {{ border-left: 5px solid {ACCENT}; background: #eef4fb; padding: 0.7rem 1rem; border-radius: 6px; }}
.wb-progress {{ width: 100%; }}
.wb-progress .widget-label {{ display: none; }}
.wb-progress .progress, .wb-progress .widget-progress {{ height: 0.8rem; }}
.wb-row {{ flex-flow: row wrap; gap: 0.6rem; align-items: center; }}
.wb-app .widget-html-content {{ font-size: inherit; line-height: inherit; }}
.wb-chart svg {{ max-width: 100%; height: auto; }}
.wb-app textarea, .wb-app input, .wb-app select {{ font-family: inherit; }}
.wb-app .widget-text, .wb-app .widget-textarea, .wb-app .widget-dropdown {{
            max-width: calc(100% - 2 * var(--jp-widgets-margin, 2px)); box-sizing: border-box; }}
.wb-chart-narrow {{ display: none !important; }}
@media (max-width: 480px) {{ .wb-app {{ font-size: 1rem; }} .wb-app h1 {{ font-size: 1.4rem; }} }}
@media (max-width: 600px) {{
  .wb-app .widget-text, .wb-app .widget-textarea {{ flex-wrap: wrap; width: 100% !important; }}
  .wb-app .widget-text > .widget-label, .wb-app .widget-textarea > .widget-label {{ width: 100% !important;
            max-width: none; text-align: left; margin-bottom: 0.2rem; }}
  .wb-app .widget-text > input, .wb-app .widget-textarea > textarea {{ flex: 1 1 100%; min-width: 0; }}
  .wb-app .widget-button, .wb-app .jupyter-button {{ white-space: normal; max-width: 100%; }}
  .wb-app .widget-checkbox label, .wb-app .widget-label-basic {{ white-space: normal; overflow: visible; }}
  .wb-app .widget-html, .wb-app .widget-html-content {{ max-width: 100%; }}
  .wb-app table {{ display: block; max-width: 100%; overflow-x: auto; }}
  .wb-chart-wide {{ display: none !important; }}
  .wb-chart-narrow {{ display: block !important; }}
}}
</style>
""", INK=INK, MUTED=MUTED, ACCENT=ACCENT, GOOD=GOOD, WARN=WARN)
