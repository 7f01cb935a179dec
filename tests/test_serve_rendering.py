"""Voila's page templates are compiled once per server, and a page renders the same with the cache."""

from __future__ import annotations

from typing import Any

import pytest
from jinja2 import DictLoader, Environment

from workbook.serve import rendering
from workbook.serve.rendering import MemoryBytecodeCache, cache_for, cached_exporter_class


def environment(source: str, cache: MemoryBytecodeCache, *, is_async: bool = False) -> Environment:
    return Environment(loader=DictLoader({"page.html": source}), bytecode_cache=cache, enable_async=is_async)


def test_a_second_environment_loads_the_compiled_template_instead_of_compiling_it() -> None:
    cache = MemoryBytecodeCache()
    first = environment("Hello {{ name }}{% for i in range(3) %}.{% endfor %}", cache)
    assert first.get_template("page.html").render(name="Ada") == "Hello Ada..."
    assert (cache.dumps, cache.loads) == (1, 0)
    second = environment("Hello {{ name }}{% for i in range(3) %}.{% endfor %}", cache)
    assert second.get_template("page.html").render(name="Grace") == "Hello Grace..."
    assert (cache.dumps, cache.loads) == (1, 1)


def test_an_edited_template_is_compiled_afresh() -> None:
    cache = MemoryBytecodeCache()
    environment("old {{ x }}", cache).get_template("page.html")
    assert environment("new {{ x }}", cache).get_template("page.html").render(x=1) == "new 1"
    assert cache.dumps == 2


def test_environments_that_compile_differently_never_share_code() -> None:
    plain = Environment()
    asynchronous = Environment(enable_async=True)
    with_do = Environment(extensions=["jinja2.ext.do"])
    caches = {id(cache_for(env)) for env in (plain, asynchronous, with_do)}
    assert len(caches) == 3
    assert cache_for(Environment()) is cache_for(plain)


def exporter() -> Any:
    """The page exporter as Voila's renderer makes it (the lab template Voila serves)."""
    from voila.paths import collect_template_paths

    paths = collect_template_paths(["voila", "nbconvert"], "lab")
    return cached_exporter_class()(template_paths=paths, template_name="lab")


def test_pages_from_a_second_exporter_use_the_first_ones_compiled_templates() -> None:
    first = exporter()
    page = first.environment.get_template("index.html.j2")  # with the templates it extends and includes
    cache = first.environment.bytecode_cache
    assert isinstance(cache, MemoryBytecodeCache) and "jinja2.ext.ExprStmtExtension" in first.environment.extensions
    compiled, loads = cache.dumps, cache.loads
    again = exporter().environment.get_template("index.html.j2")
    assert cache.dumps == compiled and cache.loads > loads  # loaded compiled, not compiled again
    assert again.filename == page.filename and set(again.blocks) == set(page.blocks)
    assert again.environment.is_async  # the page renderer generates pages asynchronously


def test_install_gives_voilas_renderer_the_cached_exporter(monkeypatch: pytest.MonkeyPatch) -> None:
    import voila.notebook_renderer
    from voila.exporter import VoilaExporter

    monkeypatch.setattr(voila.notebook_renderer, "VoilaExporter", VoilaExporter)
    rendering.install()
    assert voila.notebook_renderer.VoilaExporter is cached_exporter_class()
    assert issubclass(cached_exporter_class(), VoilaExporter)
