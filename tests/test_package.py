"""The package stays import-light and exposes exactly the kernel API."""

from __future__ import annotations

import json
import subprocess
import sys


def test_lazy_api_names_match_the_kernel_api():
    import jupyterlab_mlops
    from jupyterlab_mlops.kernel import api

    assert set(jupyterlab_mlops._API) == set(api.__all__)
    assert jupyterlab_mlops.log_metric is api.log_metric
    assert "log_metric" in dir(jupyterlab_mlops)


def test_import_pulls_in_no_server_stack_or_mlflow():
    code = (
        "import sys, json, jupyterlab_mlops; "
        "print(json.dumps([m for m in ('mlflow', 'tornado', 'jupyter_server', 'requests') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_busy_backend_is_retryable():
    from jupyterlab_mlops.client import BackendUnreachable, error_for

    assert isinstance(error_for(429, b'{"message": "slow down"}', backend="b", kind="mlflow"), BackendUnreachable)


def test_every_public_name_is_there():
    """Each name the package promises (``kernel/exports.PUBLIC``) resolves, ``from jupyterlab_mlops import X``
    included: a linter must not drop an import that is only re-exported."""
    import jupyterlab_mlops
    from jupyterlab_mlops.kernel import api
    from jupyterlab_mlops.kernel.exports import PUBLIC

    assert sorted(api.__all__) == sorted(PUBLIC)
    for name in PUBLIC:
        assert getattr(jupyterlab_mlops, name) is getattr(api, name), name
