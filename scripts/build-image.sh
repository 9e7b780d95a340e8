#!/usr/bin/env bash
# Builds the connector image with buildah (no Docker engine needed), tagged as
# acceptance-test-config.yml's connector_image (…:dev) and as metadata.yaml's
# dockerRepository:dockerImageTag.
#
# On machines that cannot pull from a registry (like this project's), the base image
# named in the Dockerfile's FROM lines is first built locally as a stand-in by
# ../shared/tools/stand-in-node-image, then the unchanged Dockerfile is built with
# --pull-never. Set PULL=1 to pull the real base image instead (a machine with registry
# access); set REBUILD_BASE=1 to rebuild the stand-in even when it is already there.
#
# usage: scripts/build-image.sh            (prints the image size at the end)
# needs: buildah, busybox-static (installed with apt-get when missing; root)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

need=()
command -v buildah >/dev/null || need+=(buildah)
[ -x /bin/busybox ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  echo "build-image: installing ${need[*]} from Debian's packages"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

base_tag="$(sed -n 's/^FROM node:\([^ ]*\).*/\1/p' Dockerfile | sort -u)"
[ "$(wc -l <<<"$base_tag")" -eq 1 ] && [ -n "$base_tag" ] || {
  echo "build-image: the Dockerfile's FROM lines must all name one node:TAG (found: ${base_tag:-none})" >&2
  exit 1
}
repository="$(sed -n 's/^  dockerRepository: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' metadata.yaml)"
version="$(sed -n 's/^  dockerImageTag: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' metadata.yaml)"
connector_image="$(sed -n 's/^connector_image: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' acceptance-test-config.yml)"
[ -n "$repository" ] && [ -n "$version" ] && [ -n "$connector_image" ] || {
  echo "build-image: cannot read dockerRepository/dockerImageTag (metadata.yaml) or connector_image (acceptance-test-config.yml)" >&2
  exit 1
}

start=$SECONDS
pull=(--pull-never)
if [ "${PULL:-0}" = 1 ]; then
  pull=()
elif [ "${REBUILD_BASE:-0}" = 1 ] || ! buildah inspect --type image "docker.io/library/node:$base_tag" >/dev/null 2>&1; then
  bash "$root/../shared/tools/stand-in-node-image" "$base_tag"
else
  echo "build-image: using the local docker.io/library/node:$base_tag (REBUILD_BASE=1 rebuilds it)"
fi

buildah bud --isolation chroot --layers "${pull[@]}" \
  -t "$connector_image" -t "$repository:$version" -f Dockerfile .
echo "build-image: built $connector_image and $repository:$version in $((SECONDS - start)) s"
buildah images "$connector_image"
