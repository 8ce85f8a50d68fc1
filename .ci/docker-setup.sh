#!/usr/bin/env bash
# Docker for the docker/compose backend tests on a fresh CI machine (root, no container registry).
#   .ci/docker-setup.sh start   install docker.io docker-compose debootstrap if missing, start
#                               dockerd (unless one already answers), build faultline's images
#   .ci/docker-setup.sh stop    stop the dockerd that `start` started (by its pid), remove docker0
# `start` needs node_modules (run it after `npm ci`). dockerd runs with --iptables=false
# --ip-forward=false so that the host's iptables/nftables and forwarding stay as they were (the
# network-namespace tests depend on them); containers need no route out, and reach the harness's
# proxies on their network's gateway. See DESIGN.md, "Facts verified on this machine".
set -euo pipefail
cd "$(dirname "$0")/.."
STATE="${FAULTLINE_CI_DOCKER_STATE:-/tmp/faultline-ci-docker}"
mkdir -p "$STATE"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

start() {
  local t0 t
  t0=$(now)
  local missing=()
  for p in docker.io docker-compose debootstrap; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    t=$(now)
    echo "ci-docker: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "ci-docker: installed in $(since "$t") s"
  fi

  if [ -f "$STATE/dockerd.pid" ] && kill -0 "$(cat "$STATE/dockerd.pid")" 2>/dev/null && docker info >/dev/null 2>&1; then
    echo "ci-docker: the dockerd this script started (pid $(cat "$STATE/dockerd.pid")) is running; using it"
  elif docker info >/dev/null 2>&1; then
    echo "ci-docker: a Docker daemon already answers; using it (stop will leave it running)"
    rm -f "$STATE/dockerd.pid"
  else
    t=$(now)
    /usr/sbin/dockerd --iptables=false --ip-forward=false >"$STATE/dockerd.log" 2>&1 &
    echo $! >"$STATE/dockerd.pid"
    for _ in $(seq 1 300); do
      docker info >/dev/null 2>&1 && break
      kill -0 "$(cat "$STATE/dockerd.pid")" 2>/dev/null || { tail -20 "$STATE/dockerd.log" >&2; exit 1; }
      sleep 0.1
    done
    docker info >/dev/null 2>&1 || { echo "ci-docker: dockerd did not answer within 30 s" >&2; tail -20 "$STATE/dockerd.log" >&2; exit 1; }
    echo "ci-docker: dockerd (pid $(cat "$STATE/dockerd.pid")) ready in $(since "$t") s; log $STATE/dockerd.log"
  fi

  t=$(now)
  npx tsx harness/backends/docker/build-images.ts
  echo "ci-docker: images in $(since "$t") s; docker setup took $(since "$t0") s in all"
}

stop() {
  # Whatever a failed test left (faultline's run containers and networks, test compose projects),
  # only on a daemon this script started: someone else's is left as it is.
  if [ -f "$STATE/dockerd.pid" ] && docker info >/dev/null 2>&1; then
    local ids
    ids=$(docker ps -aq --filter label=faultline.run; docker ps -aq --filter label=org.faultline.node; docker ps -aq --filter label=org.faultline.proxy)
    [ -n "$ids" ] && docker rm -f -v $ids >/dev/null 2>&1 || true
    ids=$(docker network ls -q --filter label=faultline.run)
    [ -n "$ids" ] && docker network rm $ids >/dev/null 2>&1 || true
  fi
  if [ -f "$STATE/dockerd.pid" ]; then
    local pid
    pid=$(cat "$STATE/dockerd.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$STATE/dockerd.pid"
    ip link del docker0 2>/dev/null || true
    echo "ci-docker: dockerd stopped, docker0 removed"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start | stop" >&2; exit 2 ;;
esac
