"""A YAML loader for files people edit by hand and might get badly wrong.

``yaml.safe_load`` never runs code, but it trusts the shape of the file:
10,000 nested ``[`` end in a RecursionError thousands of lines long, a
100,000-digit number in a ValueError (Python refuses to convert it), and a
few lines of aliases (``*name``, the "billion laughs") expand into more data
than the checks can walk.  A framework file needs none of that, so this
loader refuses it as ordinary YAML errors with a line and column:

* nesting deeper than :data:`MAX_DEPTH` levels (the shipped file uses 5);
* more than :data:`MAX_NODES` values in all (the shipped file has about 700;
  a list of 200,000 numbers fits in the size limit but took half a minute to
  check and would list 200,000 problems);
* aliases (anchors alone are harmless and allowed);
* whole numbers longer than :data:`MAX_DIGITS` digits.
"""

from __future__ import annotations

from typing import Any, Final

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import Node, ScalarNode

__all__ = ["MAX_DEPTH", "MAX_DIGITS", "MAX_NODES", "safe_load_limited"]

MAX_DEPTH: Final = 32
MAX_DIGITS: Final = 18
MAX_NODES: Final = 20_000


class _LimitedLoader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader with a nesting limit, no aliases and short whole numbers."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(None, None, "aliases (*name) are not allowed in a framework file; "
                                "write the repeated content out in full", event.start_mark)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise ComposerError(None, None, f"the file holds more than {MAX_NODES:,} values; "
                                "a framework file needs far fewer", self.peek_event().start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(None, None, f"the content is nested more than {MAX_DEPTH} levels deep; "
                                    "a framework file needs far fewer", self.peek_event().start_mark)
            node: Node | None = super().compose_node(parent, index)
            return node
        finally:
            self._depth -= 1


def _construct_int(loader: yaml.SafeLoader, node: ScalarNode) -> int:
    digits = sum(c.isalnum() for c in str(node.value).lower().removeprefix("0x").removeprefix("0o"))
    if digits > MAX_DIGITS:
        raise ConstructorError(None, None, f"a number with {digits} digits is far too long "
                               f"(at most {MAX_DIGITS}); put text in quotes", node.start_mark)
    value: int = loader.construct_yaml_int(node)
    return value


_LimitedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def safe_load_limited(text: str) -> Any:
    """Like ``yaml.safe_load``, within the limits above (a ``yaml.MarkedYAMLError`` otherwise)."""
    loader = _LimitedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
