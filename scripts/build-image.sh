#!/usr/bin/env bash
# Builds the connector image from the Dockerfile, tagged as acceptance-test-config.yml's
# connector_image (…:dev) and as metadata.yaml's dockerRepository:dockerImageTag.
#
# With a Docker engine (Docker's own, or podman serving the Docker API): `docker build`.
# Without one: buildah (installed with apt-get when missing, as root). Either way the base
# image (node:TAG, the Dockerfile's FROM) is found like this: already in the engine's local
# images; else pulled from Docker Hub; else, where no registry is reachable (this project's
# CI machines), a local stand-in built by ../shared/tools/stand-in-node-image, a tool that
# exists only beside our own checkouts; else the script stops and says what to do.
#
# usage: scripts/build-image.sh [--context DIR] [--tag IMAGE]...
#   --context DIR  build the project in DIR instead of this checkout (e.g. an earlier
#                  release's files, from git archive): its Dockerfile, metadata.yaml and
#                  acceptance-test-config.yml
#   --tag IMAGE    tag the image IMAGE (repeatable), instead of the two tags above
# CONTAINER_ENGINE=docker|buildah picks the engine; REBUILD_BASE=1 rebuilds the local stand-in base.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
say() { echo "build-image: $*" >&2; }

context="$root" tags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --context) context="$(cd "${2:?--context needs a folder}" && pwd)"; shift 2 ;;
    --tag) tags+=("${2:?--tag needs an image name}"); shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) say "unknown argument $1 (see --help)"; exit 2 ;;
  esac
done

base_tag="$(sed -n 's/^FROM node:\([^ ]*\).*/\1/p' "$context/Dockerfile" | sort -u)"
[ "$(wc -l <<<"$base_tag")" -eq 1 ] && [ -n "$base_tag" ] || {
  say "the Dockerfile's FROM lines must all name one node:TAG (found: ${base_tag:-none})"
  exit 1
}
base="docker.io/library/node:$base_tag"
repository="$(sed -n 's/^  dockerRepository: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$context/metadata.yaml")"
version="$(sed -n 's/^  dockerImageTag: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$context/metadata.yaml")"
connector_image="$(sed -n 's/^connector_image: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$context/acceptance-test-config.yml")"
[ -n "$repository" ] && [ -n "$version" ] && [ -n "$connector_image" ] || {
  say "cannot read dockerRepository/dockerImageTag (metadata.yaml) or connector_image (acceptance-test-config.yml)"
  exit 1
}
[ ${#tags[@]} -gt 0 ] || tags=("$connector_image" "$repository:$version")
tag_args=()
for t in "${tags[@]}"; do tag_args+=(-t "$t"); done

engine="${CONTAINER_ENGINE:-}"
if [ -z "$engine" ]; then
  if docker info >/dev/null 2>&1; then engine=docker; else engine=buildah; fi
fi
start=$SECONDS

stand_in="$root/../shared/tools/stand-in-node-image"
no_base() {
  say "the base image $base is not here and could not be pulled (no registry reachable?)."
  say "On a machine with registry access, run this again, or use Docker (docker build -t $connector_image .);"
  say "or bring the base image over: docker save -o node.tar $base, then $1"
  exit 1
}

if [ "$engine" = docker ]; then
  if [ "${REBUILD_BASE:-0}" = 1 ] && [ -x "$stand_in" ]; then
    bash "$stand_in" "$base_tag"
  elif docker image inspect "$base" >/dev/null 2>&1; then
    say "using the local $base"
  elif say "pulling $base" && docker pull -q "$base" >/dev/null 2>&1; then
    say "pulled $base"
  elif [ -x "$stand_in" ]; then
    say "no registry answered; building a local stand-in for $base with $stand_in"
    bash "$stand_in" "$base_tag"
  else
    no_base "docker load -i node.tar"
  fi
  if ! docker image inspect "$base" >/dev/null 2>&1; then
    # The stand-in is built with buildah: podman's engine shares its store, Docker's does not.
    say "handing $base from buildah's store to the Docker engine"
    buildah push --quiet "$base" "docker-daemon:$base" >/dev/null || {
      say "the Docker engine does not have $base, and buildah could not hand it over"
      exit 1
    }
  fi
  docker build "${tag_args[@]}" "$context"
  say "built ${tags[*]} in $((SECONDS - start)) s (docker)"
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
  no_base "buildah pull docker-archive:node.tar"
fi

buildah bud --isolation chroot --layers --pull-never "${tag_args[@]}" -f "$context/Dockerfile" "$context"
say "built ${tags[*]} in $((SECONDS - start)) s (buildah)"
buildah images "${tags[0]}"
