#!/bin/sh
# The image's entrypoint: run the one service named by the first argument.
set -eu
case "${1:-}" in
  inventory|teams|incidents|gateway) exec python -m "services.$1" ;;
  *) echo "usage: anbei inventory|teams|incidents|gateway (got '${1:-}')" >&2; exit 64 ;;
esac
