"""Large type and strong contrast for the projector, on top of the apps' CSS (:mod:`workbook.apps.style`).
"""

from __future__ import annotations

from typing import Final

__all__ = ["PROJECTOR_CLASS", "PROJECTOR_CSS"]


PROJECTOR_CLASS: Final = "wb-projector"

#: Large type and strong contrast for a projector, on top of the apps' CSS.
#: (Candidates for workbook/apps/style.py once another app needs them.)
PROJECTOR_CSS: Final = """
<style>
.wb-app.wb-projector { max-width: 78rem; font-size: 1.3rem; color: #111418; }
.wb-projector h1 { font-size: 2.3rem; }
.wb-projector h2 { font-size: 1.75rem; margin-top: 1.1em; }
.wb-projector h3 { font-size: 1.45rem; margin: 0.2em 0; }
.wb-projector p, .wb-projector li, .wb-projector td, .wb-projector th, .wb-projector caption,
.wb-projector .widget-label, .wb-projector .widget-checkbox label, .wb-projector input,
.wb-projector textarea, .wb-projector select { font-size: 1.3rem !important; line-height: 1.45; }
.wb-projector .wb-muted { color: #333a44; }
.wb-projector .wb-big { font-size: 1.6rem !important; }
.wb-projector .widget-button, .wb-projector .jupyter-button { font-size: 1.2rem; min-height: 2.9rem; }
.wb-projector input[type=text], .wb-projector input[type=date], .wb-projector select {
  min-height: 2.6rem; border: 2px solid #5b6572; border-radius: 6px; }
.wb-projector textarea { border: 2px solid #5b6572; border-radius: 6px; min-height: 6rem; }
.wb-projector .wb-card { border: 2px solid #5b6572; }
.wb-nav { flex-flow: row wrap; gap: 0.4rem; margin: 0.4rem 0 0.8rem; }
.wb-nav .mod-primary { outline: 3px solid #111418; }
.wb-practice .widget-radio-box { flex-direction: row; flex-wrap: wrap; gap: 0.3rem 0.5rem; }
.wb-practice .widget-radio-box label { border: 2px solid #5b6572; border-radius: 8px; padding: 0.3rem 0.8rem;
  margin: 0 !important; cursor: pointer; min-height: 2.6rem; display: inline-flex; align-items: center;
  gap: 0.4rem; }
.wb-practice .widget-radio-box input { width: 1.3rem; height: 1.3rem; margin: 0; }
.wb-projector .wb-practice .widget-radio-box label { font-size: 1.2rem !important; }
.wb-practice .widget-radio-box label:has(input:checked) { background: #0b5cad; color: #fff; border-color: #0b5cad;
  font-weight: 700; }
.wb-practice .widget-radio { width: 100%; }
.wb-practice .widget-radio > .widget-label { display: none; }
.wb-obstacle { border-left: 6px solid transparent; padding-left: 0.6rem; margin: 0.2rem 0; }
.wb-obstacle.wb-likely { border-left-color: #E69F00; background: #fff8e6; }
.wb-tag { display: inline-block; background: #5c3a00; color: #fff; border-radius: 6px; padding: 0 0.5rem;
  font-size: 0.85em; font-weight: 600; }
.wb-table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
.wb-table caption { text-align: left; }
.wb-table th, .wb-table td { border-bottom: 2px solid #9aa3ae; padding: 0.45rem 0.7rem; text-align: left;
  vertical-align: top; }
.wb-table thead th { border-bottom: 3px solid #111418; }
.wb-num { text-align: right !important; }
.wb-action { border-top: 2px solid #c9ced6; padding-top: 0.5rem; }
.wb-reward { border-left: 8px solid #009E73; background: #eaf7f2; }
.wb-download { display: inline-block; background: #0b5cad; color: #fff !important; padding: 0.5rem 1.1rem;
  border-radius: 8px; font-weight: 600; text-decoration: none; }
.wb-download:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
.wb-projector .wb-chart { display: block; width: 100%; margin: 0.6rem 0; }
.wb-projector .widget-html:has(.wb-chart), .wb-projector .widget-html:has(.wb-chart) > .widget-html-content {
  display: block; width: 100%; }
.wb-projector .wb-chart svg { width: 100%; max-width: 60rem; height: auto; }
.wb-projector input[type=checkbox] { width: 1.5rem; height: 1.5rem; }
.wb-obstacle .widget-html p { margin: 0 0 0.2rem 2.2rem; }
.wb-obstacle details { margin: 0 0 0.4rem 2.2rem; font-size: 1.1rem; }
.wb-practice > .wb-row:first-child { justify-content: space-between; flex-wrap: nowrap; }
.wb-practice h3 { margin: 0; }
.wb-rating { font-size: 0.85em; font-weight: 600; margin-left: 0.5rem; padding: 0 0.5rem; border-radius: 6px;
  white-space: nowrap; }
.wb-rated { background: #e3eefb; color: #0b3d73; }
.wb-unrated { background: #fff8e6; color: #5c3a00; }
.wb-projector .wb-owner { width: 32rem; }
.wb-projector .wb-day { width: 16rem; }
@media (max-width: 600px) {
  .wb-app.wb-projector { font-size: 1.05rem; }
  .wb-projector h1 { font-size: 1.7rem; }
  .wb-projector h2 { font-size: 1.35rem; }
  .wb-projector h3 { font-size: 1.2rem; }
  .wb-projector p, .wb-projector li, .wb-projector td, .wb-projector th, .wb-projector caption,
  .wb-projector .widget-label, .wb-projector .widget-checkbox label, .wb-projector input,
  .wb-projector textarea, .wb-projector select, .wb-projector .wb-big { font-size: 1.05rem !important; }
  .wb-table th, .wb-table td { padding: 0.3rem 0.4rem; }
  .wb-projector .wb-obstacle .widget-html p, .wb-projector .wb-obstacle details { margin-left: 0.4rem; }
}
</style>
"""
