#!/usr/bin/env bash
# The QGIS 3.44 LTR test leg: a Debian sid root (QGIS 3.44, Python 3.14, numpy 2) built once,
# cached in .ltr-root/ (git-ignored), with this working tree bind-mounted at /project.
#
#   scripts/ltr.sh build        build the root if it is not there yet (idempotent)
#   scripts/ltr.sh test [ARGS]  run the whole test suite inside it (pytest ARGS)
#   scripts/ltr.sh demo         run `make demo` inside it
#   scripts/ltr.sh shell        an interactive shell inside it
#
# Exit codes: 0 ok, 1 tests failed, 3 the root could not be built (the step is named on stderr).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${LTR_ROOT:-$here/.ltr-root}
VENV=/opt/hp-venv
APT=(apt-get -o Acquire::Check-Valid-Until=false -o Acquire::Retries=3 -y -q)
PKGS=(python3-qgis qgis qgis-providers python3-shapely python3-pandas python3-pyproj
      python3-pytest python3-venv python3-pip python3-pyarrow ca-certificates make xauth
      xvfb poppler-utils proj-data zip unzip)

fail_step() { echo "LTR ROOT: step failed: $1" >&2; exit 3; }

mirror() {
  local m
  m=$(grep -hoE '^URIs:\s*\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$m" ] || m=$(grep -hoE '^deb\s+\S+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk '{print $2}' | grep -v security | head -n1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}

in_root() { chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

mounts=()
cleanup() {
  local i
  for (( i=${#mounts[@]}-1; i>=0; i-- )); do umount -l "${mounts[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT

bind() { mkdir -p "$2"; mount --bind "$1" "$2"; mounts+=("$2"); }

build() {
  local want; want=$(printf '%s\n' "${PKGS[@]}" | sha1sum | cut -c1-12)
  if [ -f "$ROOT/.ready" ]; then
    [ "$(cat "$ROOT/.ready")" = "$want" ] && return 0
    # the package list grew since the root was built: top it up instead of rebuilding
    bind /proc "$ROOT/proc"
    in_root env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install --no-install-recommends "${PKGS[@]}" >"$here/.ltr-apt.log" 2>&1 \
      || { tail -5 "$here/.ltr-apt.log" >&2; fail_step "apt-get install (top-up) inside the root"; }
    cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
    echo "$want" >"$ROOT/.ready"
    return 0
  fi
  command -v debootstrap >/dev/null || { apt-get install -y -q debootstrap >/dev/null 2>&1 || fail_step "install debootstrap on the host"; }
  local m; m=$(mirror)
  local t0=$SECONDS
  if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    rm -rf "$ROOT"
    debootstrap --variant=minbase sid "$ROOT" "$m" >"$here/.ltr-debootstrap.log" 2>&1 \
      || { tail -5 "$here/.ltr-debootstrap.log" >&2; fail_step "debootstrap sid from $m"; }
  fi
  echo "ltr: debootstrap done in $((SECONDS - t0)) s" >&2
  bind /proc "$ROOT/proc"
  in_root "${APT[@]}" update >/dev/null || fail_step "apt-get update inside the root"
  DEBIAN_FRONTEND=noninteractive in_root env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install --no-install-recommends "${PKGS[@]}" >"$here/.ltr-apt.log" 2>&1 \
    || { tail -5 "$here/.ltr-apt.log" >&2; fail_step "apt-get install QGIS inside the root"; }
  echo "ltr: packages installed after $((SECONDS - t0)) s" >&2
  # Debian's ca-certificates rewrites the bundle: copy the host's afterwards so pip reaches PyPI.
  cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
  in_root /usr/bin/python3 -m venv --system-site-packages "$VENV" || fail_step "create the venv inside the root"
  local np; np=$(in_root /usr/bin/python3 -c 'import numpy; print(numpy.__version__)')
  echo "numpy==$np" >"$ROOT/opt/constraints.txt"
  in_root "$VENV/bin/pip" install -q --disable-pip-version-check -c /opt/constraints.txt \
      'pytest-qgis>=2.1' 'pytest-qt>=4' >"$here/.ltr-pip.log" 2>&1 \
    || { tail -5 "$here/.ltr-pip.log" >&2; fail_step "pip install pytest-qgis pytest-qt inside the root"; }
  echo "$want" >"$ROOT/.ready"
  echo "ltr: root ready in $((SECONDS - t0)) s ($(du -sh "$ROOT" 2>/dev/null | cut -f1))" >&2
}

enter() {
  build
  bind /proc "$ROOT/proc"
  bind /dev "$ROOT/dev"
  bind "$here" "$ROOT/project"
  mkdir -p "$ROOT/tmp" && chmod 1777 "$ROOT/tmp"
}

cmd=${1:-test}; shift || true
case "$cmd" in
  build) build ;;
  test)
    enter
    in_root /bin/bash -c "cd /project && QT_QPA_PLATFORM=offscreen PYTHONDONTWRITEBYTECODE=1 \
      $VENV/bin/python -m pytest -p no:cacheprovider $*" ;;
  demo)
    enter
    in_root /bin/bash -c "cd /project && make -s build >/dev/null && \
      PYTHON=$VENV/bin/python DEMO_OUT=out/demo-ltr bash scripts/demo.sh" ;;
  shell)
    enter
    chroot "$ROOT" /bin/bash ;;
  *) echo "usage: $0 build|test|demo|shell" >&2; exit 2 ;;
esac
