"""Kernel side: the Python API (:mod:`.api`), its batching logger (:mod:`.logger`), run state
(:mod:`.session`), backend resolution (:mod:`.config`) and the ``%mlops`` magics (:mod:`.magics`).

Nothing here is imported by ``import jupyterlab_mlops``; the package loads it on first use.
"""
