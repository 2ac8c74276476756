"""Notebook widgets (stock ipywidgets compositions, no custom JavaScript).

``mlops.experiments()``, ``mlops.compare(...)``, ``mlops.promote(run)`` and ``mlops.models()``
return these; they call the backend synchronously from the kernel and show errors on their
message line instead of raising. Testable without a browser: construct, set values, ``click()``.
"""

from .compare import CompareView
from .experiments import ExperimentsBrowser
from .models import ModelsBrowser
from .promote import PromoteForm

__all__ = ["CompareView", "ExperimentsBrowser", "ModelsBrowser", "PromoteForm"]
