"""Serving the site app to site teams: Voilà workers with a kernel budget, supervised, behind a proxy.

- :mod:`.options`: the arguments a worker starts with (loopback only, budget, timeouts, template);
- :mod:`.worker`: Voilà plus the busy page and the page-state endpoint;
- :mod:`.kernels`: the kernel manager that keeps the budget and ends idle, unused and dead kernels;
- :mod:`.supervisor`: ``coprod serve``, which starts the workers and restarts any that dies;
- :mod:`.deploy`: the nginx, systemd and JupyterHub files for a server that site teams reach over HTTPS.

Nothing here is imported by the site app's kernels.
"""
