"""The values app's page script (frontend/) is built from what is committed, for this ipywidgets.

The built files are committed so that neither the set-up nor CI needs node;
these checks catch a source change without a rebuild, and a kernel-side
ipywidgets whose widget models the page script would not know.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
STATIC = ROOT / "templates" / "voila" / "workbook" / "static"
REBUILD = "rebuild it: cd frontend && npm ci && npm run build"


@pytest.fixture(scope="module")
def built() -> dict[str, dict[str, str]]:
    manifest: dict[str, dict[str, str]] = json.loads((FRONTEND / "built.json").read_text(encoding="utf-8"))
    return manifest


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_committed_script_is_built_from_the_committed_sources(built: dict[str, dict[str, str]]) -> None:
    for name, digest in built["built_from"].items():
        assert _sha256(FRONTEND / name) == digest, f"frontend/{name} changed since the script was built; {REBUILD}"
    assert set(built["built"]) == {"workbook-widgets.js", "workbook-widgets.css"}
    for name, digest in built["built"].items():
        assert _sha256(STATIC / name) == digest, f"{name} is not what the build wrote (edited by hand?); {REBUILD}"


def test_packages_are_pinned_exactly_and_match_the_lock(built: dict[str, dict[str, str]]) -> None:
    package = json.loads((FRONTEND / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((FRONTEND / "package-lock.json").read_text(encoding="utf-8"))
    wanted = {**package["dependencies"], **package["devDependencies"]}
    for name, version in wanted.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} {version!r}: pin an exact version"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    for name, version in built["packages"].items():
        assert wanted[name] == version, f"built with {name} {version}; {REBUILD}"


def test_the_page_knows_the_kernels_widget_models(built: dict[str, dict[str, str]]) -> None:
    """The page's widget manager and the kernel's ipywidgets must speak the same model versions."""
    from ipywidgets import _version

    assert built["model_versions"] == {
        "base": _version.__jupyter_widgets_base_version__,
        "controls": _version.__jupyter_widgets_controls_version__,
    }


def test_every_widget_the_apps_use_is_one_the_page_script_knows(built: dict[str, dict[str, str]]) -> None:
    """The page script knows ipywidgets' base and controls models only (no Output, no anywidget)."""

    known = {"@jupyter-widgets/base": built["model_versions"]["base"],
             "@jupyter-widgets/controls": built["model_versions"]["controls"]}
    import importlib

    used: set[tuple[str, str]] = set()  # (module, class name)
    for source in (ROOT / "workbook").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        used |= {("ipywidgets", name) for name in re.findall(r"\b(?:ipy)?widgets\.([A-Z]\w+)\(", text)}
        # styles are imported from ipywidgets' submodules (workbook/apps/looks.py): look them up there
        imports = re.findall(r"^from (ipywidgets(?:\.\w+)*) import (?:\(([^)]*)\)|([\w ,]+)$)", text, re.MULTILINE)
        for module, *groups in imports:
            names = "".join(groups)
            used |= {(module, n.strip().split(" as ")[0]) for n in names.split(",") if n.strip()[:1].isupper()}
    assert {"Button", "HTML", "VBox", "ButtonStyle"} <= {name for _module, name in used}
    script = (STATIC / "workbook-widgets.js").read_text(encoding="utf-8")
    for module_name, name in sorted(used):
        cls = getattr(importlib.import_module(module_name), name)
        for kind in ("model", "view"):
            class_name = cls.class_traits()[f"_{kind}_name"].default_value
            assert class_name in script, f"widgets.{name}: the page script has no {class_name}"
        for kind in ("model", "view"):
            module = cls.class_traits()[f"_{kind}_module"].default_value
            version = cls.class_traits()[f"_{kind}_module_version"].default_value
            assert known.get(module) == version, f"widgets.{name}: {module} {version} is unknown to the page script"


def test_the_apps_use_it_and_nothing_comes_from_another_host() -> None:
    template = (ROOT / "templates" / "voila" / "workbook" / "index.html.j2").read_text(encoding="utf-8")
    assert "lean_page" not in template and "voila_setup_labextensions" not in template  # every page is lean
    assert "static_url('workbook-widgets.js')" in template and "static_url('workbook-widgets.css')" in template
    for name in ("workbook-widgets.js", "workbook-widgets.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", text), f"{name} loads from another host"
        assert not re.search(r"""(?:fetch|WebSocket|import)\(\s*["'`](?:https?|wss?):""", text), name
        assert "@import url(" not in text
