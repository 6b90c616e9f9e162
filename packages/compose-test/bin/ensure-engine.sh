#!/usr/bin/env bash
# Makes sure a Docker engine with Compose v2 and buildx answers, for `pnpm test:compose`.
# - An engine that already answers `docker info` is used as it is (it must have Compose v2).
# - As root on Debian with none running, it installs Debian's engine (docker.io, dockerd 20.10)
#   and the Compose v2 and buildx CLI plugins, then starts dockerd in the background.
#   Debian bookworm ships only Compose v1 (1.29), which users no longer run, so the plugins come
#   from Debian trixie's docker-compose and docker-buildx packages, downloaded with apt-get from
#   the same archive through a temporary source list; trixie is never added to the machine's
#   sources and nothing else from it is installed.
# - Anywhere else it stops with a message that says what to install.
set -euo pipefail

say() { printf 'ensure-engine: %s\n' "$*" >&2; }
die() { printf 'ensure-engine: %s\n' "$*" >&2; exit 1; }

PLUGIN_DIR=/usr/libexec/docker/cli-plugins
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/reelwatch-dockerd.log}

have_compose_v2() { docker compose version --short >/dev/null 2>&1; }
engine_answers() { docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }
is_root_debian() { [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; }

install_engine() {
  say "installing Debian's Docker engine (docker.io)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io iptables >/dev/null
}

install_plugins() {
  local work; work=$(mktemp -d)
  say "installing the Compose v2 and buildx CLI plugins from Debian trixie's packages"
  mkdir -p "$work/lists/partial" "$work/archives/partial" "$work/x"
  # The machine's own bookworm source line, with the suite swapped: same archive, same mirror.
  local uri
  uri=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2>/dev/null | grep -v security | head -n1)
  [[ -n $uri ]] || die "cannot read the Debian archive address from apt's sources"
  echo "deb ${uri} trixie main" >"$work/sources.list"
  local o=(-o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
    -o Dir::State::Status=/dev/null -o APT::Sandbox::User=root)
  apt-get "${o[@]}" update -qq
  (cd "$work" && apt-get "${o[@]}" download -qq docker-compose docker-buildx)
  for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/x"; done
  mkdir -p "$PLUGIN_DIR"
  install -m 0755 "$work/x$PLUGIN_DIR/docker-compose" "$work/x$PLUGIN_DIR/docker-buildx" "$PLUGIN_DIR/"
  rm -rf "$work"
}

start_dockerd() {
  say "starting dockerd (log: $DOCKERD_LOG)"
  nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  for _ in $(seq 1 60); do engine_answers && return 0; sleep 0.5; done
  die "dockerd did not answer within 30 s; see $DOCKERD_LOG"
}

if ! engine_answers; then
  if ! is_root_debian; then
    die "no Docker engine answers 'docker info'. Install Docker Engine with the Compose v2 and buildx plugins
(https://docs.docker.com/engine/install/), start it, and make sure this user may use it (the docker group)."
  fi
  command -v dockerd >/dev/null 2>&1 || install_engine
  start_dockerd
fi

if ! have_compose_v2 || ! docker buildx version >/dev/null 2>&1; then
  is_root_debian || die "the Docker CLI has no Compose v2 or buildx plugin ('docker compose version' fails).
Install the docker-compose-plugin and docker-buildx-plugin packages of Docker Engine."
  install_plugins
  have_compose_v2 || die "docker compose still does not answer after installing the plugin"
fi

say "engine $(docker info --format '{{.ServerVersion}}'), compose $(docker compose version --short), buildx $(docker buildx version | awk '{print $2}')"
