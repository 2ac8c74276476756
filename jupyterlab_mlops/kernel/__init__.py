"""Kernel side, one concern a module. Nothing here is imported by ``import jupyterlab_mlops``; the
package loads it on first use (``%load_ext`` loads :mod:`.magics` and :mod:`.magic_args` only).

* :mod:`.api`: the Python API (``mlops.log_metric`` ...) and :func:`.api.session`, the public seam for
  the magics and widgets.
* :mod:`.session`: the kernel's settings, backend, client and logger; :mod:`.runs`: the run lifecycle;
  :mod:`.status`: what ``status()`` and ``flush()`` report; :mod:`.config`: which backend;
  :mod:`.checks`: input checks; :mod:`.mlflow_interop`: living next to plain ``mlflow``.
* :mod:`.logger`: the queue and its sender thread, which uses :mod:`.batching` (packing within
  MLflow's limits), :mod:`.sender` (the requests of one batch, by the rules of :mod:`.delivery`),
  :mod:`.outage` (online/offline, backoff) and :mod:`.outbox` (the spools and their replay).
* :mod:`.magics` (the verbs) and :mod:`.magic_args` (their arguments); :mod:`.artifacts` (uploads);
  :mod:`.snapshot_hook` (a notebook snapshot when a run ends); :mod:`.notices` (one-line messages).
"""
