# ruff: noqa: RUF001 - look-alike letters (full-width, Arabic) are the point here
"""At least 100 hostile input files: people CSVs for ``people import``, YAML for ``framework check``.

:func:`write_hostile_files` writes them into a folder (they are generated, not
committed, because several are large, binary or special: a FIFO, a link to
``/dev/zero``) and returns what each one is.  A few small real-world ones are
committed in ``data/`` and included too.  The same files are written on every
run.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hostile.strings import hostile_strings

__all__ = ["HostileFile", "write_hostile_files"]

Command = Literal["people", "framework"]
HEADER = "name,email,role,team\n"
GOOD_ROW = "Ann Lee,ann@example.org,staff,Front desk\n"
SHIPPED = Path(__file__).resolve().parents[2] / "data" / "framework.yaml"
COMMITTED = Path(__file__).with_name("data")


@dataclass(frozen=True)
class HostileFile:
    """One file and which command reads it; ``ok`` when the command should accept it."""

    path: Path
    command: Command
    kind: str
    ok: bool = False


def _csv_cases() -> Iterator[tuple[str, bytes | Callable[[Path], None], bool]]:
    good = (HEADER + GOOD_ROW).encode()
    yield "good", good, True
    yield "good-crlf", good.replace(b"\n", b"\r\n"), True
    yield "good-cr-only", good.replace(b"\n", b"\r"), True
    yield "bom-one", b"\xef\xbb\xbf" + good, True
    yield "bom-two", b"\xef\xbb\xbf" * 2 + good, False
    yield "bom-three", b"\xef\xbb\xbf" * 3 + good, False
    yield "bom-mid-file", good + b"\xef\xbb\xbfBo,bo@example.org,staff,T\n", False
    yield "only-bom", b"\xef\xbb\xbf", False
    yield "empty", b"", False
    yield "blank-lines", b"\n\n\n", False
    yield "header-only", HEADER.encode(), False
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "shift_jis", "gb18030",
                     "koi8-r", "mac-roman"):
        text = HEADER + "Zoë Ångström,zoe@example.org,staff,Café ü\n" if encoding not in ("shift_jis", "gb18030") \
            else HEADER + "山田 太郎,taro@example.org,staff,営業\n"
        data = text.encode(encoding, "replace")
        yield f"encoding-{encoding}", data, data.isascii()  # koi8-r has no ë: "Zo? ?ngstr?m" is fine ASCII
    yield "utf-8-with-bad-byte", HEADER.encode() + b"Jos\xe9,jose@example.org,staff,T\n", False
    yield "utf-8-overlong", HEADER.encode() + b"A\xc0\xaf,a@example.org,staff,T\n", False
    yield "utf-8-encoded-surrogate", HEADER.encode() + b"A\xed\xa0\x80,a@example.org,staff,T\n", False
    yield "utf-8-truncated", HEADER.encode() + b"A\xe2\x82,a@example.org,staff,T\n", False
    for name, delimiter in (("semicolon", ";"), ("tab", "\t"), ("pipe", "|")):
        yield f"delimiter-{name}", (HEADER + GOOD_ROW).replace(",", delimiter).encode(), False
    yield "delimiter-mixed", (HEADER + "Ann Lee;ann@example.org;staff;Front desk\n").encode(), False
    yield "quote-unterminated", (HEADER + '"Ann Lee,ann@example.org,staff,T\nBo,bo@example.org,staff,T\n').encode(), \
        False
    yield "quote-stray", (HEADER + '"Ann" Lee,ann@example.org,staff,T\n').encode(), False
    yield "quote-inside", (HEADER + 'Ann "The Boss" Lee,ann@example.org,staff,T\n').encode(), True
    yield "quote-multiline-cell", (HEADER + '"Ann\nLee",ann@example.org,staff,T\n').encode(), False
    yield "quote-only", b'"', False
    yield "extra-cells", (HEADER + "A,a@example.org,staff,T,extra,more\n").encode(), False
    yield "fewer-cells", (HEADER + "A,a@example.org\n").encode(), False
    yield "missing-column", b"name,email,role\nA,a@example.org,staff\n", False
    yield "duplicate-column", b"name,email,role,team,name\nA,a@example.org,staff,T,B\n", False
    yield "header-shouting", b" NAME , Email ,ROLE,Team \nA,a@example.org,staff,T\n", True
    yield "header-reordered", b"team,role,email,name\nT,staff,a@example.org,A\n", True
    yield "no-header", GOOD_ROW.encode(), False
    yield "huge-cell-200k", HEADER.encode() + b"A" * 200_000 + b",a@example.org,staff,T\n", False
    yield "huge-line-1mb", HEADER.encode() + b"A," * 500_000 + b"\n", False
    yield "long-cell-150k-quoted", HEADER.encode() + b'"' + b"B" * 150_000 + b'",b@example.org,staff,T\n', False
    yield "over-size-limit", HEADER.encode() + b"A,a@example.org,staff,T\n" * 240_000, False
    yield "many-bad-rows", (HEADER + "".join(f"A{i},bad{i},staff,T\n" for i in range(10_000))).encode(), False
    yield "too-many-rows", (HEADER + "".join(f"A{i},a{i}@example.org,staff,T\n" for i in range(10_001))).encode(), False
    yield "duplicate-emails-case", (HEADER + "A,a@example.org,staff,T\nB,A@EXAMPLE.ORG,staff,T\n").encode(), False
    yield "reserved-team", (HEADER + "A,a@example.org,staff,Other teams\n").encode(), False
    yield "binary-png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), False
    yield "binary-zip-xlsx", b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), False
    yield "binary-random", random.Random(11).randbytes(4096), False
    yield "binary-nul-in-row", HEADER.encode() + b"A\x00B,a@example.org,staff,T\n", False
    yield "control-in-name", HEADER.encode() + b"A\x07B,a@example.org,staff,T\n", False
    yield "c1-in-name", HEADER.encode() + "A\x85B,a@example.org,staff,T\n".encode(), False
    yield "separator-in-team", HEADER.encode() + "A,a@example.org,staff,T\u2028X\n".encode(), False
    yield "nonchar-in-team", HEADER.encode() + "A,a@example.org,staff,T\uffff\n".encode(), False
    yield "invisible-name", HEADER.encode() + "\u2060,a@example.org,staff,T\n".encode(), False
    yield "zwnj-persian", (HEADER + "می‌خواهم,a@example.org,staff,خانه‌ها\n").encode(), True
    yield "emoji-zwj", (HEADER + "👩‍👩‍👧‍👦,a@example.org,staff,🏳️‍🌈\n").encode(), True
    yield "formula-cells", (HEADER + "=HYPERLINK(\"x\"),a@example.org,staff,+cmd|' /C calc'!A0\n").encode(), True
    yield "markup-cells", (HEADER + "<script>alert(1)</script>,a@example.org,staff,<img src=x onerror=1>\n").encode(), \
        True
    yield "rtl-override", (HEADER + "A\u202eB,a@example.org,staff,T\n").encode(), False
    yield "email-unicode", (HEADER + "A,zoë@exämple.org,staff,T\n").encode(), True
    yield "email-huge", (HEADER + "A," + "a" * 400 + "@example.org,staff,T\n").encode(), False
    yield "sql-cells", (HEADER + "'; DROP TABLE people; --,a@example.org,staff,T\n").encode(), True
    yield "role-unicode", (HEADER + "A,a@example.org,ｓｔａｆｆ,T\n").encode(), False
    yield "only-commas", b",,,\n,,,\n", False
    yield "only-newlines-crlf", b"\r\n" * 1000, False
    yield "nul-only", b"\x00" * 100, False
    strings = hostile_strings()
    for index in range(0, len(strings), 40):  # hostile strings in every column of a row
        case = strings[index]
        cell = '"' + case.text.replace('"', '""') + '"'
        body = f"{HEADER}{cell},h{index}@example.org,staff,{cell}\n"
        yield f"string-{index}-{case.kind}", body.encode("utf-8", "surrogatepass"), case.expect == "accept"

    def fifo(path: Path) -> None:
        os.mkfifo(path)

    def dev_zero(path: Path) -> None:
        path.symlink_to("/dev/zero")

    def folder(path: Path) -> None:
        path.mkdir()

    def dangling(path: Path) -> None:
        path.symlink_to(path.with_name("does-not-exist"))

    yield "special-fifo", fifo, False
    yield "special-dev-zero", dev_zero, False
    yield "special-folder", folder, False
    yield "special-dangling-link", dangling, False


def _yaml_cases() -> Iterator[tuple[str, bytes | Callable[[Path], None], bool]]:
    shipped = SHIPPED.read_bytes()
    yield "shipped", shipped, True
    yield "shipped-crlf", shipped.replace(b"\n", b"\r\n"), True
    yield "shipped-bom", b"\xef\xbb\xbf" + shipped, True
    yield "shipped-bom-two", b"\xef\xbb\xbf" * 2 + shipped, True  # YAML itself skips a BOM at the start
    yield "shipped-utf16", shipped.decode().encode("utf-16"), False
    yield "shipped-latin1", shipped.decode().encode("latin-1", "replace") + b"\nx: \xe9\n", False
    yield "deep-flow-10000", b"id: " + b"[" * 10_000 + b"\n", False
    yield "deep-flow-mapping-5000", b"id: " + b"{a: " * 5_000 + b"\n", False
    yield "deep-block-1000", b"".join(b" " * i + b"a:\n" for i in range(1_000)), False
    yield "deep-list-10000", b"- " * 10_000 + b"x\n", False
    yield "deep-40", b"id: " + b"[" * 40 + b"]" * 40 + b"\n", False
    yield "bigint-100000", b"id: " + b"9" * 100_000 + b"\n", False
    yield "bigint-5000", b"version: " + b"1" * 5_000 + b"\n", False
    yield "bigint-hex", b"id: 0x" + b"f" * 10_000 + b"\n", False
    yield "bigint-underscore", b"id: " + b"1_000" * 2_000 + b"\n", False
    yield "big-float", b"id: 1e99999\n", False
    yield "float-digits", b"id: 0." + b"1" * 100_000 + b"\n", False
    laughs = b"".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n".encode()
                      for i in range(8))
    yield "billion-laughs", b'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + laughs, False
    yield "alias-simple", b"id: &x hello\nversion: *x\n", False
    yield "python-tag", b"id: !!python/object/apply:os.system ['echo pwned']\n", False
    yield "custom-tag", b"id: !custom x\n", False
    yield "binary-tag", b"id: !!binary aGVsbG8=\n", False
    yield "set-tag", b"id: !!set {a, b}\n", False
    yield "timestamp", b"id: 2001-12-14t21:59:43.10-05:00\n", False
    yield "merge-key", b"base: &b {x: 1}\nid:\n  <<: *b\n", False
    yield "duplicate-keys", b"id: a\nid: b\nversion: '1'\n", False
    yield "top-level-list", b"- a\n- b\n", False
    yield "top-level-scalar", b"hello\n", False
    yield "top-level-number", b"42\n", False
    yield "only-comments", b"# nothing\n# here\n", False
    yield "empty", b"", False
    yield "whitespace", b"   \n\t\n", False
    yield "tabs-indent", b"id: a\nsteps:\n\t- x\n", False
    yield "unterminated-quote", b'id: "abc\n', False
    yield "unterminated-flow", b"id: [a, b\n", False
    yield "multiple-documents", b"id: a\n---\nid: b\n", False
    yield "nul", b"id: a\x00b\n", False
    yield "control", b"id: a\x07b\n", False
    yield "c1-nel", "id: a\x85b\n".encode(), False
    yield "separator", "id: a\u2028b\n".encode(), False
    yield "nonchar", "id: a\uffffb\n".encode(), False
    yield "bad-utf8", b"id: \xff\xfe\n", False
    yield "encoded-surrogate", b"id: \xed\xa0\x80\n", False
    yield "huge-line", b"id: " + b"x" * 900_000 + b"\n", False
    yield "over-size-limit", b"# " + b"x" * 1_100_000 + b"\n", False
    yield "wide-list", b"steps: [" + b"1," * 200_000 + b"1]\n", False
    yield "many-keys", b"".join(f"k{i}: {i}\n".encode() for i in range(50_000)), False
    yield "binary-png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", False
    yield "binary-random", random.Random(12).randbytes(4096), False
    yield "json-instead", b'{"id": "x", "version": "1.0.0"}', False
    yield "markup-values", shipped.replace(b"name: Accountable", b'name: "<script>alert(1)</script>"', 1), True
    yield "separator-in-value-name", shipped.replace(b"name: Accountable", b'name: "Account\\u2028able"', 1), True
    yield "nonchar-in-value-name", shipped.replace(b"name: Accountable", b'name: "Account\\uffffable"', 1), True

    def fifo(path: Path) -> None:
        os.mkfifo(path)

    def dev_zero(path: Path) -> None:
        path.symlink_to("/dev/zero")

    def dev_urandom(path: Path) -> None:
        path.symlink_to("/dev/urandom")

    def folder(path: Path) -> None:
        path.mkdir()

    yield "special-fifo", fifo, False
    yield "special-dev-zero", dev_zero, False
    yield "special-dev-urandom", dev_urandom, False
    yield "special-folder", folder, False


def write_hostile_files(folder: Path) -> list[HostileFile]:
    """Write every hostile file into ``folder`` (which must exist) and list them."""
    out: list[HostileFile] = []
    for command, cases, suffix in (("people", _csv_cases(), ".csv"), ("framework", _yaml_cases(), ".yaml")):
        for kind, content, ok in cases:
            path = folder / f"{command}-{kind}{suffix}"
            if callable(content):
                content(path)
            else:
                path.write_bytes(content)
            out.append(HostileFile(path, command, kind, ok))  # type: ignore[arg-type]
    for committed in sorted(COMMITTED.iterdir()):
        if committed.suffix in (".csv", ".yaml"):
            command: Command = "people" if committed.suffix == ".csv" else "framework"
            out.append(HostileFile(committed, command, f"committed-{committed.stem}", committed.stem.startswith("ok-")))
    return out
