"""No token or key in a log line, whichever logger prints the URL (issue #11: found in tornado's 503 line)."""

from __future__ import annotations

import logging

import pytest

from workbook.web import logscrub

TOKEN = "c-ZMrRmrE9M6iCH85nWNCYkF7kKAdfwM49ZIpxlOb5c"


@pytest.mark.parametrize(("raw", "clean"), [
    (f"503 GET /voila/render/values.ipynb?token={TOKEN} (127.0.0.1): kernel limit reached",
     "503 GET /voila/render/values.ipynb?token=[secret] (127.0.0.1): kernel limit reached"),
    (f"GET /voila/render/workshop.ipynb?key={TOKEN}&x=1", "GET /voila/render/workshop.ipynb?key=[secret]&x=1"),
    (f"/a?x=1&token={TOKEN}&token={TOKEN}", "/a?x=1&token=[secret]&token=[secret]"),
    (f"Referer 'http://h/p?TOKEN={TOKEN}'", "Referer 'http://h/p?TOKEN=[secret]'"),
    ("a monkey=banana and token: none", "a monkey=banana and token: none"),
])
def test_scrub(raw: str, clean: str) -> None:
    assert logscrub.scrub(raw) == clean


def test_every_logger_is_scrubbed_once_installed(caplog: pytest.LogCaptureFixture) -> None:
    previous = logging.getLogRecordFactory()
    # An earlier test of a full run (a server started in-process, a logging config) may have
    # turned tornado's loggers off, raised a parent's level or stopped propagation, so caplog
    # at the root would hear nothing. Listen on tornado's logger itself, with it switched on.
    tornado_log = logging.getLogger("tornado.general")
    saved = (tornado_log.propagate, tornado_log.disabled, tornado_log.level)
    tornado_log.propagate, tornado_log.disabled = False, False
    tornado_log.setLevel(logging.WARNING)
    tornado_log.addHandler(caplog.handler)
    try:
        logscrub.install()
        logscrub.install()  # twice is once
        with caplog.at_level(logging.WARNING):
            tornado_log.warning("%d %s: %s", 503, f"GET /voila/render/v.ipynb?token={TOKEN}", "busy")
            logging.getLogger("anything.else").error(f"page /x?key={TOKEN} failed")
            logging.getLogger("plain").warning("nothing %s here", "secret")
        assert TOKEN not in caplog.text and TOKEN[:12] not in caplog.text
        assert "503 GET /voila/render/v.ipynb?token=[secret]: busy" in caplog.text
        assert "nothing secret here" in caplog.text
    finally:
        logging.setLogRecordFactory(previous)
        tornado_log.removeHandler(caplog.handler)
        tornado_log.propagate, tornado_log.disabled = saved[0], saved[1]
        tornado_log.setLevel(saved[2])
        logscrub._installed = False
