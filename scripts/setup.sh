#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: Debian's Chromium (for Galata), a .venv at the
# repository root with every Python dependency, the JS dependencies and the built extension.
# Sourced by scripts/lab and scripts/test; re-running it only does what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false MLFLOW_DISABLE_TELEMETRY=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PIP_DISABLE_PIP_VERSION_CHECK=1
# every pip install of the set-up (tests/team/setup.sh's too) takes the tested MLflow: see the file
export PIP_CONSTRAINT="$ROOT/scripts/constraints.txt"
step() { printf '\n\033[1m==> %s\033[0m (%s)\n' "$*" "$(date +%T)"; }
# pip's notes about unreachable extra index locations hide the real output; the filter never fails the pipe,
# so (with pipefail) a failed install stops the set-up with pip's own status
drop_pip_noise() { grep -v "is ignored" || true; }

if [ "${MLOPS_SKIP_CHROMIUM:-0}" != 1 ] && ! command -v chromium >/dev/null 2>&1; then
  step "Installing Debian's Chromium (browser tests)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  step "Creating .venv"
  "$PY" -m venv .venv
  .venv/bin/pip install -q -U pip
fi
export PATH="$ROOT/.venv/bin:$PATH"

stamp=".venv/.mlops-deps"
want="$(cat pyproject.toml scripts/constraints.txt package.json yarn.lock | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  step "Installing Python dependencies and the extension (editable)"
  # the build requirements of pyproject.toml, installed here because the editable install skips build isolation
  pip install -q "jupyterlab>=4.6,<5" "hatchling>=1.27" "hatch-jupyter-builder>=0.9" "hatch-nodejs-version>=0.3.2" \
    editables 2>&1 | drop_pip_noise
  pip install -q --no-build-isolation -e ".[test]" 2>&1 | drop_pip_noise
  python -c "import jupyterlab_mlops, mlflow" # fail loudly if the install did not work
  echo "$want" > "$stamp"
fi

step "Building the frontend"
js_stamp="node_modules/.mlops-deps"  # JS dependencies again when package.json or yarn.lock change
js_want="$(cat package.json yarn.lock | sha256sum | cut -c1-16)"
if [ "$(cat "$js_stamp" 2>/dev/null)" != "$js_want" ]; then
  jlpm install
  echo "$js_want" > "$js_stamp"
fi
jlpm build >/dev/null
jupyter labextension develop . --overwrite >/dev/null 2>&1
