"""Voila's page templates compiled once per server, not once per page (issue #12: CPU under a crowd).

Voila makes a new exporter, and with it a new Jinja environment, for every
page it renders (pre-heated kernels included), so every page compiled the
nbconvert and Voila templates from their source again.  Profiled under load
(30 respondents, forked kernels), that compiling was about a fifth of the
server's busy time: the largest single cost after relaying kernel messages.

Jinja's own answer is a bytecode cache: an environment asks it for a
template's compiled code, keyed by the template's name and file and checked
against a hash of its source, before compiling.  :class:`MemoryBytecodeCache`
keeps that code in the server's memory; :func:`install` makes Voila's page
renderer use an exporter whose environments share one.  A template edited
while the server runs has another hash, so it is compiled afresh.

Compiled code depends on how the environment compiles (async or not, which
extensions), not only on the source; every environment made here is made
the same way (async, nbconvert's extensions plus ``jinja2.ext.do``, as
Voila's own exporter makes it), and the cache is keyed on those settings
too, so code compiled one way is never loaded into an environment of the
other.

The same goes for the folders of the template's static files: Voila looked
them up (walking the Jupyter data folders, reading each template's
``conf.json``) for every static URL of every page, about one twentieth of
the server's CPU while pages opened.  The installed templates do not move
while the server runs, so :func:`install` keeps the answer.
"""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket

__all__ = ["MemoryBytecodeCache", "cached_exporter_class", "install"]

#: Voila adds this extension to its exporter's environment after making it.
DO_EXTENSION = "jinja2.ext.do"


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates in this process's memory, shared by every environment given it."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self.loads = 0  # templates loaded compiled (for tests and benchmarks)
        self.dumps = 0  # templates compiled and kept

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # ignored by Jinja if the source's hash changed
            self.loads += 1

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        self.dumps += 1

    def clear(self) -> None:
        self._code.clear()


#: One cache per way of compiling: (async, extensions).
_caches: dict[tuple[bool, tuple[str, ...]], MemoryBytecodeCache] = {}


def cache_for(environment: Environment) -> MemoryBytecodeCache:
    """The shared cache for environments that compile as ``environment`` does."""
    extensions = tuple(sorted(environment.extensions))
    return _caches.setdefault((environment.is_async, extensions), MemoryBytecodeCache())


@functools.cache
def cached_exporter_class() -> type[Any]:
    """Voila's exporter, its Jinja environments sharing compiled templates."""
    from voila.exporter import VoilaExporter

    class CachedVoilaExporter(VoilaExporter):  # type: ignore[misc]
        def _create_environment(self) -> Environment:
            environment: Environment = super()._create_environment()
            environment.add_extension(DO_EXTENSION)  # before choosing the cache: it changes the code (idempotent)
            environment.bytecode_cache = cache_for(environment)
            return environment

    return CachedVoilaExporter


def install() -> None:
    """Make Voila's page renderer (every page, pre-heated or not) use :func:`cached_exporter_class`.

    Voila's ``NotebookRenderer`` names its exporter class at module level and
    offers no setting for it, so the name is replaced there.
    """
    import voila.notebook_renderer
    import voila.static_file_handler

    voila.notebook_renderer.VoilaExporter = cached_exporter_class()
    voila.static_file_handler.collect_static_paths = _static_paths


def _static_paths(app_names: list[str], template_name: str = "default", **options: Any) -> list[str]:
    """Voila's ``collect_static_paths``, each answer kept (a fresh list each call: callers may change it)."""
    return list(_static_paths_of(tuple(app_names), template_name, tuple(sorted(options.items()))))


@functools.cache
def _static_paths_of(app_names: tuple[str, ...], template_name: str,
                     options: tuple[tuple[str, Any], ...]) -> tuple[str, ...]:
    from voila.paths import collect_static_paths

    return tuple(collect_static_paths(list(app_names), template_name, **dict(options)))
