"""Composite views the UI is built on, one module per area (experiments, runs, registry...)."""
