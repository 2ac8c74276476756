"""The composite views every surface shows: runs page, experiment summary, compare, registry across
backends, promotion, snapshots.

Written once as flows and plans (:mod:`.driver`) over the MLflow/GitLab protocol of :mod:`..client`,
so the server (async transport) and the kernel and widgets (sync transport) run the same code.
No tornado, httpx or Jupyter imports here: a view is plain Python, tested without a server.
"""
