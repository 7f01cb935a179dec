"""The Voila application of ``workbook serve``: only the apps, with the workbook's routes and guard."""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
from typing import Any

from workbook.serve.options import (
    DEFAULT_MAX_LOOKUPS,
    DEFAULT_PAGE_RATE,
    DEFAULT_RECHECK_SECONDS,
    DEFAULT_REFUSED_BURST,
    DEFAULT_REFUSED_RATE,
    HEALTH_PATH,
    TEMPLATE_NAME,
)
from workbook.settings import DB_ENV


def _quiet_trust_warning(record: logging.LogRecord) -> bool:
    """Drop jupyter_server's "Notebook X is not trusted", logged on every page opened.

    Notebook trust decides whether JupyterLab shows a notebook's stored HTML and
    script outputs; Voila runs the notebook afresh and shows only what it
    produced now, so for the workbook's own app notebooks the line means nothing
    and, printed for every respondent, hides the lines that do.
    """
    return record.msg != "Notebook %s is not trusted"


@functools.cache
def _voila_class() -> type[Any]:
    """Voila with the workbook's routes (built on first use: voila is slow to import)."""
    from concurrent.futures import ThreadPoolExecutor

    from jupyter_server.utils import url_path_join
    from traitlets import Integer, List, Unicode
    from voila.app import Voila
    from voila.tornado.handler import TornadoVoilaHandler

    from workbook.serve import rendering
    from workbook.store import open_store
    from workbook.web import handlers
    from workbook.web.access import LinkChecker, LinkLookups
    from workbook.web.clients import Clients
    from workbook.web.ratelimit import RateLimiter

    rendering.install()

    class WorkbookVoila(Voila):  # type: ignore[misc]
        apps = List(Unicode(), config=True, help="The only notebooks served (names in root_dir).")
        page_rate = Integer(DEFAULT_PAGE_RATE, config=True,
                            help="New kernels a client address may start a minute (0: no limit).")
        trusted_proxies = List(Unicode(), config=True,
                               help="Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed.")
        refused_rate = Integer(DEFAULT_REFUSED_RATE, config=True,
                               help="Refused links a client address may open a minute (0: no limit).")
        refused_burst = Integer(DEFAULT_REFUSED_BURST, config=True,
                                help="Refused links a client address may open at once.")
        max_lookups = Integer(DEFAULT_MAX_LOOKUPS, config=True,
                              help="Link lookups waiting at once; past it a link is answered busy.")
        recheck_seconds = Integer(DEFAULT_RECHECK_SECONDS, config=True,
                                  help="How often open pages' links are checked again (0: only on connect).")
        route = Unicode("", config=True, help="This server's name for a proxy's routing cookie (empty: none).")

        def init_settings(self) -> dict[str, Any]:
            settings: dict[str, Any] = super().init_settings()
            self.log.addFilter(_quiet_trust_warning)
            # traitlets sets the logger to DEBUG and filters at the handler, so every debug
            # line (several a kernel message, in jupyter_server) was formatted to be thrown
            # away: 3-4 % of the server's busy time under load.  The logger filters first now.
            self.log.setLevel(self.log_level)
            settings["log_function"] = handlers.log_request  # hides ?token= and ?key=; no line per 429
            # gzip: an app page's 1 MB script travels as 0.3 MB (tornado reads
            # this when the application is built, so Voila.tornado_settings is too late)
            settings["compress_response"] = True
            settings["xsrf_cookie_kwargs"] = {"samesite": "Strict"}
            # Every path without a route of its own: our 404 page (not tornado's bare one).
            settings["default_handler_class"] = handlers.NotFound
            settings["default_handler_args"] = {"voila_configuration": self.voila_configuration}
            # The links are checked in this process: one store for the whole
            # server, its lookups in threads so the event loop never waits.
            lookups = ThreadPoolExecutor(2, thread_name_prefix="workbook-links")
            self.web_state = handlers.WebState(
                links=LinkLookups(LinkChecker(open_store(os.environ.get(DB_ENV))), lookups,
                                  max_pending=self.max_lookups),
                lookups=lookups,
                limiter=RateLimiter(self.page_rate),
                refusals=RateLimiter(self.refused_rate, burst=self.refused_burst),
                clients=Clients(self.trusted_proxies),
                recheck_seconds=self.recheck_seconds,
                route=self.route,
            )
            settings["workbook"] = self.web_state
            return settings

        def init_handlers(self) -> list[Any]:
            def url(path: str) -> str:
                return str(url_path_join(self.server_url, path))

            served = "|".join(re.escape(app) for app in self.apps)
            page = {"voila_configuration": self.voila_configuration}
            # Voila's page route, with its arguments, served by our AppPage.
            render = next(rule for rule in super().init_handlers() if rule[1] is TornadoVoilaHandler)
            routes: list[tuple[Any, ...]] = [
                (url("/"), handlers.Welcome, page),
                (url(HEALTH_PATH), handlers.Health),
                (url(r"/.*(?:\.\.|%2[fF]|%5[cC]).*"), handlers.NotFound, page),  # "..", or escaped "/" "\\"
                *handlers.guarded_routes(self.server_url, TEMPLATE_NAME),
                (url(rf"/voila/render/({served})"), handlers.AppPage, *render[2:]),
            ]
            # Everything else (the file tree, contents, files, Voila's front end,
            # themes, login, logout, other notebooks) falls to the 404 default.
            self.app.add_transform(handlers.SecurityHeaders)  # the app exists by now (Voila.start)
            return routes

        def stop(self) -> None:
            # Voila's stop removes the connection files' folder and then shuts the kernels down; a
            # kernel still starting found its socket folder gone and printed a traceback (a CI run,
            # Ctrl-C just after a pool refill). The kernels go first here, then their folder.
            from jupyter_core.utils import run_sync

            try:
                run_sync(self.kernel_manager.shutdown_all)()
                shutil.rmtree(self.connection_dir, ignore_errors=True)
            finally:
                state = getattr(self, "web_state", None)
                if state is not None:
                    state.close()

    return WorkbookVoila
