"""Notebook snapshots (DESIGN §5): the notebook as the user saw it when a run ended, scrubbed of
secrets, with ``snapshot.json`` (path, sha256, kernel, Python, packages, git) and MLflow's source
tags, uploaded as flat artifacts ``notebook.ipynb`` + ``snapshot.json``.

Pure apart from :mod:`.gitinfo` (runs ``git``) and :mod:`.environment` (reads installed
metadata); no Jupyter or tornado imports: the server drives the flows of :mod:`.record` with its
async client, a kernel could drive them with the sync one.

- :mod:`.notebook`  parse, exclude ``mlops-exclude`` cells, scrub, cap outputs, canonical bytes, sha256
- :mod:`.scrub`     secret patterns (GitLab/GitHub/AWS/GCP/Azure/Slack/Bearer, configured tokens)
- :mod:`.gitinfo`   commit, branch, remote (no credentials), capped dirty diff
- :mod:`.environment` Python version and packages (whose environment: see there)
- :mod:`.record`    snapshot.json, tags, upload/fetch flows with dedupe, restore names
- :mod:`.diff`      cell-level diff of two snapshots
"""

from .notebook import EXCLUDE_TAG, Options, Prepared, parse_notebook, prepare, validate
from .record import NOTEBOOK_ARTIFACT, RECORD_ARTIFACT, SHA_TAG, build_record, fetch_flow, upload_flow
from .scrub import Scrubber

__all__ = [
    "EXCLUDE_TAG",
    "Options",
    "Prepared",
    "parse_notebook",
    "prepare",
    "validate",
    "NOTEBOOK_ARTIFACT",
    "RECORD_ARTIFACT",
    "SHA_TAG",
    "build_record",
    "fetch_flow",
    "upload_flow",
    "Scrubber",
]
