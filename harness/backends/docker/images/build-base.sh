#!/usr/bin/env bash
# Builds faultline's base image from Debian packages, for machines where no container registry is
# reachable (a `FROM debian:bookworm` cannot be pulled there): debootstrap a minimal bookworm with
# every package the stores and faults need, trim it, and `docker import` it. Nothing can be
# apt-installed inside a later `docker build` (containers have no route out), so every package
# is here. Where a registry is reachable, pass `--build-arg BASE_IMAGE=...` to the store
# Dockerfiles instead (see the README's "Containers" section for what that image must have).
#
# Usage: build-base.sh [IMAGE_NAME]   (default faultline-base:bookworm). Root only.
# Reuses IMAGE_NAME when it already exists; FAULTLINE_DEBIAN_MIRROR overrides the mirror.
set -euo pipefail

IMAGE="${1:-faultline-base:bookworm}"
MIRROR="${FAULTLINE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# postgresql-15 brings psql/pg_basebackup (and a PG 15 for users who want it); PostgreSQL 18 is
# copied in by the store Dockerfile. iptables: packet-level cuts; libfaketime: clock skew;
# iproute2/procps: inspecting a node from `docker exec`.
PACKAGES="postgresql-15,redis-server,redis-sentinel,etcd-server,etcd-client,iproute2,iptables,libfaketime,procps,ca-certificates"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "base image $IMAGE: present, reused"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "build-base.sh: debootstrap needs root (run it as root, or build FROM a registry image instead)" >&2
  exit 3
fi
for tool in debootstrap docker; do
  command -v "$tool" >/dev/null || {
    echo "build-base.sh: $tool not found: apt-get install -y debootstrap docker.io" >&2
    exit 3
  }
done

start=$(date +%s)
root="$(mktemp -d /var/tmp/faultline-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT

echo "base image $IMAGE: debootstrap bookworm (minbase + $PACKAGES); takes 1-2 minutes"
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$root" "$MIRROR" \
  >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 3; }
rm -f "$root.log"
echo "base image $IMAGE: debootstrap done in $(($(date +%s) - start)) s; trimming"

# The Debian packages' postinst made a PG 15 cluster and config; nodes make their own data dirs.
rm -rf "$root"/var/lib/postgresql/15/main "$root"/etc/postgresql/15/main
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
  "$root"/usr/share/locale/* "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* \
  "$root"/var/cache/debconf/*-old "$root"/var/log/*.log "$root"/tmp/* 2>/dev/null || true
echo "base image $IMAGE: rootfs $(du -sh "$root" | cut -f1); docker import"

tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["/bin/bash"]' \
  - "$IMAGE" >/dev/null
echo "base image $IMAGE: built in $(($(date +%s) - start)) s"
