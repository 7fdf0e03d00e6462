#!/usr/bin/env bash
# Makes sure redis-server is installed (Debian package). Tests start their own instance on a loopback port;
# nothing is started here and nothing listens on a non-loopback address.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  redis-server --version
  exit 0
fi
echo "Installing redis-server (Debian package) for the Redis tests..."
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# The package may start a system service; the tests don't use it.
(command -v service >/dev/null 2>&1 && $SUDO service redis-server stop >/dev/null 2>&1) || true
redis-server --version
