"""The interactive apps that Voila serves (one module per notebook).

Each app is an ipywidgets tree built by the package; its notebook only imports
it, declares the papermill parameters and calls ``show()``.
"""

from __future__ import annotations

__all__: list[str] = []
