"""GitLab MLflow-API stand-in for tests (see tests/gitlab_server.py for the entry point)."""
