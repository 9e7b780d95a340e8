#!/usr/bin/env bash
# Builds the connector image from the Dockerfile, tagged as acceptance-test-config.yml's
# connector_image (…:dev) and as metadata.yaml's dockerRepository:dockerImageTag.
#
# With a Docker engine: `docker build`. Without one: buildah (installed with apt-get when
# missing, as root), which pulls the base image (node:TAG, the Dockerfile's FROM) from
# Docker Hub. Where no registry is reachable (this project's CI machines), the base comes
# from a local stand-in built by ../shared/tools/stand-in-node-image, a tool that exists
# only beside our own checkouts; elsewhere the script says what to do instead.
#
# usage: scripts/build-image.sh      CONTAINER_ENGINE=docker|buildah picks the engine;
#                                    REBUILD_BASE=1 rebuilds the local stand-in base.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
say() { echo "build-image: $*" >&2; }

base_tag="$(sed -n 's/^FROM node:\([^ ]*\).*/\1/p' Dockerfile | sort -u)"
[ "$(wc -l <<<"$base_tag")" -eq 1 ] && [ -n "$base_tag" ] || {
  say "the Dockerfile's FROM lines must all name one node:TAG (found: ${base_tag:-none})"
  exit 1
}
base="docker.io/library/node:$base_tag"
repository="$(sed -n 's/^  dockerRepository: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' metadata.yaml)"
version="$(sed -n 's/^  dockerImageTag: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' metadata.yaml)"
connector_image="$(sed -n 's/^connector_image: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' acceptance-test-config.yml)"
[ -n "$repository" ] && [ -n "$version" ] && [ -n "$connector_image" ] || {
  say "cannot read dockerRepository/dockerImageTag (metadata.yaml) or connector_image (acceptance-test-config.yml)"
  exit 1
}

engine="${CONTAINER_ENGINE:-}"
if [ -z "$engine" ]; then
  if docker info >/dev/null 2>&1; then engine=docker; else engine=buildah; fi
fi
start=$SECONDS

if [ "$engine" = docker ]; then
  docker build -t "$connector_image" -t "$repository:$version" .
  say "built $connector_image and $repository:$version in $((SECONDS - start)) s"
  exit 0
fi

if ! command -v buildah >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing buildah from Debian's packages"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah >/dev/null
  else
    say "no Docker engine and no buildah: install Docker or buildah, then run this again"
    exit 1
  fi
fi

stand_in="$root/../shared/tools/stand-in-node-image"
if [ "${REBUILD_BASE:-0}" = 1 ] && [ -x "$stand_in" ]; then
  bash "$stand_in" "$base_tag"
elif buildah inspect --type image "$base" >/dev/null 2>&1; then
  say "using the local $base"
elif say "pulling $base" && buildah pull --quiet "$base" >/dev/null; then
  say "pulled $base"
elif [ -x "$stand_in" ]; then
  say "no registry answered; building a local stand-in for $base with $stand_in"
  bash "$stand_in" "$base_tag"
else
  say "the base image $base is not here and could not be pulled (no registry reachable?)."
  say "On a machine with registry access, run this again, or use Docker (docker build -t $connector_image .);"
  say "or bring the base image over: docker save -o node.tar $base, then buildah pull docker-archive:node.tar"
  exit 1
fi

buildah bud --isolation chroot --layers --pull-never \
  -t "$connector_image" -t "$repository:$version" -f Dockerfile .
say "built $connector_image and $repository:$version in $((SECONDS - start)) s"
buildah images "$connector_image"
