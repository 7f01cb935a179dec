"""The parts of ``workbook serve`` that sit between a browser and a kernel.

Each module does one job and, apart from :mod:`workbook.web.handlers`, needs
neither tornado nor Voila, so it can be tested on its own:

* :mod:`~workbook.web.access`    - is this link valid?  (checked in the server, before any kernel)
* :mod:`~workbook.web.pages`     - one link, one kernel: the kernel and page each link holds
* :mod:`~workbook.web.ratelimit` - how many kernels (and refused links) one client address may have
* :mod:`~workbook.web.recheck`   - open pages whose link was rotated or deleted lose their kernel
* :mod:`~workbook.web.clients`   - who the client is (and whether a trusted proxy says so)
* :mod:`~workbook.web.policy`    - the security headers and cookie rules of every response
* :mod:`~workbook.web.handlers`  - the tornado handlers that put these together
"""
