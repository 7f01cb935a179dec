"""Download links that carry their file inside the page."""

from __future__ import annotations

import base64
import html
import re

from workbook.download import data_uri, download_link_html


def test_the_link_carries_the_exact_bytes() -> None:
    data = "Promise,Owner\n\ufeffCafé ☕,Zoë\n".encode()
    link = download_link_html("charter.csv", "text/csv;charset=utf-8", data)
    href = html.unescape(re.search(r"href='([^']*)'", link).group(1))  # type: ignore[union-attr]
    assert href == data_uri(data, "text/csv;charset=utf-8")
    assert href.startswith("data:text/csv;charset=utf-8;base64,")
    assert base64.b64decode(href.split(",", 1)[1]) == data
    assert "download='charter.csv'" in link and ">Download charter.csv</a>" in link


def test_hostile_names_and_labels_are_escaped() -> None:
    link = download_link_html("x' onclick='alert(1).csv", "text/csv", b"a", label="<b>Save</b>")
    assert "onclick='" not in link and "<b>" not in link
    assert "&lt;b&gt;Save&lt;/b&gt;" in link
