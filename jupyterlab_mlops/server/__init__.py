"""Jupyter server extension: REST handlers, backend proxy and the embedded MLflow server."""
