#!/usr/bin/env bash
# Prerequisites of the team test (tests/team) and of `benchmarks/run --backend postgres`, installed once:
#   - Debian's PostgreSQL server (initdb/pg_ctl; the tests start a throw-away cluster, never the system service)
#   - jupyterhub and psycopg2-binary in .venv (both in the `test` extra as well)
#   - configurable-http-proxy from npm, under .venv/chp (not global)
# Idempotent: re-running skips what is there. Any failure stops it with a message.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
say() { echo "tests/team/setup.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ -x "$PY" ] || die "$PY is missing: run scripts/setup.sh first"

# 1. PostgreSQL (Debian puts the server programs in /usr/lib/postgresql/<version>/bin, not on PATH)
if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "PostgreSQL is missing and there is no root or sudo to install it"
        SUDO="sudo"
    fi
    say "installing Debian's postgresql"
    $SUDO apt-get update -q || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q postgresql || die "apt-get install postgresql failed"
fi
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || command -v pg_ctl >/dev/null 2>&1 \
    || die "pg_ctl not found after installing postgresql"
if [ "$(id -u)" = 0 ]; then  # PostgreSQL refuses to run as root: the tests run it as this user
    PG_USER="${MLOPS_TEST_PG_USER:-nobody}"
    id -u "$PG_USER" >/dev/null 2>&1 || die "user $PG_USER (to run PostgreSQL as) does not exist; set MLOPS_TEST_PG_USER"
    command -v runuser >/dev/null 2>&1 || die "runuser (util-linux) is missing"
fi

# 2. Python packages
if ! "$PY" -c "import jupyterhub, psycopg2" >/dev/null 2>&1; then
    say "installing jupyterhub and psycopg2-binary into $VENV"
    "$VENV/bin/pip" install -q "jupyterhub>=5" "psycopg2-binary>=2.9" || die "pip install failed"
fi
[ -x "$VENV/bin/jupyterhub-singleuser" ] || die "$VENV/bin/jupyterhub-singleuser is missing"

# 3. configurable-http-proxy (JupyterHub's proxy, a node program)
CHP="$VENV/chp/node_modules/.bin/configurable-http-proxy"
if [ ! -x "$CHP" ]; then
    command -v npm >/dev/null 2>&1 || die "npm is missing (Node 20): needed for configurable-http-proxy"
    say "installing configurable-http-proxy under $VENV/chp"
    mkdir -p "$VENV/chp"
    npm install --prefix "$VENV/chp" --no-audit --no-fund --loglevel=error "configurable-http-proxy@^5.3" \
        || die "npm install configurable-http-proxy failed"
fi
"$CHP" --version >/dev/null || die "$CHP does not run"
say "ready (PostgreSQL, jupyterhub $("$PY" -c 'import jupyterhub; print(jupyterhub.__version__)'), \
configurable-http-proxy $("$CHP" --version))"
