#!/usr/bin/env bash
# install-interop-clients.sh [SYSLOG_NG_DIR]
# Puts every syslog client the interop tests (test/interop/) drive on a Debian bookworm box,
# non-interactively and without starting any daemon. Idempotent: when everything is already
# there it only checks and prints versions (no apt-get at all). Runs as root, or through sudo.
#   rsyslog (+ relp, gnutls, openssl, elasticsearch: omelasticsearch for the HTTP intake tests),
#   logger (bsdutils), nc (netcat-openbsd), socat, openssl, gnutls-bin, python3, curl (HTTP intake
#   tests), nats-server (JetStream; the scale-out tests start their own servers), chromium (the
#   web page tests drive it headless through playwright-core);
#   syslog-ng-core unpacked into SYSLOG_NG_DIR (default /opt/syslog-ng,
#   the tests look there, or in $SYSLOG_NG_ROOT) because it conflicts with rsyslog in apt.
set -euo pipefail
SNG_DIR=${1:-${SYSLOG_NG_ROOT:-/opt/syslog-ng}}
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -eq 0 ]; then SUDO=()
elif command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n env DEBIAN_FRONTEND=noninteractive)
else echo "install-interop-clients: run as root (or install sudo)" >&2; exit 1; fi
as_root() { "${SUDO[@]}" "$@"; }

PKGS=(rsyslog rsyslog-relp rsyslog-gnutls rsyslog-openssl rsyslog-elasticsearch bsdutils
      netcat-openbsd socat openssl gnutls-bin python3 ca-certificates curl nats-server
      chromium)
# syslog-ng-core's Depends: (runtime libraries only; the package itself is unpacked, see below)
SNG_LIBS=(libivykis0 libnet1 libjson-c5 libglib2.0-0 libpcre3 libwrap0 libsystemd0 libssl3 libcap2)

if [ -r /etc/os-release ]; then
  . /etc/os-release
  [ "${VERSION_CODENAME:-}" = bookworm ] || echo "install-interop-clients: tested on Debian bookworm, this is ${PRETTY_NAME:-unknown}; trying anyway" >&2
fi

not_installed() { # prints the packages of "$@" that dpkg does not list as installed
  local p
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || echo "$p"
  done
}

missing=$(not_installed "${PKGS[@]}" "${SNG_LIBS[@]}")
if [ -n "$missing" ] || [ ! -x "$SNG_DIR/usr/sbin/syslog-ng" ]; then
  # 1. keep maintainer scripts from starting services: invoke-rc.d and deb-systemd-invoke obey
  #    policy-rc.d (exit 101 = action forbidden). Ours is removed again at exit.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  trap 'if [ "$created_policy" = 1 ]; then as_root rm -f /usr/sbin/policy-rc.d; fi' EXIT
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${PKGS[@]}" "${SNG_LIBS[@]}"
  # 2. syslog-ng: apt would remove rsyslog (both provide system-log-daemon), so unpack the
  #    package: dpkg -x runs no maintainer script and registers nothing in dpkg's database
  if [ ! -x "$SNG_DIR/usr/sbin/syslog-ng" ]; then
    tmp=$(mktemp -d)
    chmod 755 "$tmp"   # apt's _apt sandbox user must be able to write the download
    (cd "$tmp" && if [ "$(id -u)" -eq 0 ]; then apt-get download -qq -o APT::Sandbox::User=root syslog-ng-core
                  else apt-get download -qq syslog-ng-core; fi)
    as_root mkdir -p "$SNG_DIR"
    as_root dpkg -x "$tmp"/syslog-ng-core_*.deb "$SNG_DIR"
    rm -rf "$tmp"
  fi
else
  echo "install-interop-clients: all packages present, $SNG_DIR/usr/sbin/syslog-ng present: nothing to install"
fi

# 3. checks: no daemon was started, every syslog-ng library resolves, versions
running=$(grep -l -x -E 'rsyslogd|syslog-ng|nats-server' /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3 | tr '\n' ' ' || true)
[ -z "$running" ] || echo "install-interop-clients: WARNING: rsyslogd/syslog-ng/nats-server running, pid(s): $running (the tests start their own, on other ports; this is harmless)" >&2
export LD_LIBRARY_PATH=$SNG_DIR/usr/lib/syslog-ng
if find "$SNG_DIR/usr/sbin" "$SNG_DIR/usr/lib/syslog-ng" \( -name '*.so*' -o -name syslog-ng \) -print0 \
   | xargs -0 ldd 2>/dev/null | grep 'not found'; then
  echo "install-interop-clients: syslog-ng libraries missing (see above)" >&2; exit 1
fi
SNG_VER=$(ls "$SNG_DIR/usr/lib/syslog-ng" | grep -E '^[0-9]+\.[0-9]+$' | sort -V | tail -1)
"$SNG_DIR/usr/sbin/syslog-ng" --module-path="$SNG_DIR/usr/lib/syslog-ng/$SNG_VER" --version | head -1
PATH=$PATH:/usr/sbin:/sbin rsyslogd -v | head -1
logger --version
nats-server --version
curl --version | head -1
chromium --version
nc -h 2>&1 | head -1 || true
