#!/usr/bin/env bash
# CI: CAT's backward-compatibility tests (TestSpec and TestDiscovery::test_backward_compatibility,
# both CAT versions) of the image under test against the previous release's image.
#
# 1. The previous release: the newest version package.json had before its current one, from the
#    tags vX.Y.Z, else from package.json's history (node dist/scripts/previous-release.js).
# 2. Its image: that commit's files (git archive) built by scripts/build-image.sh --context, and
#    tagged <dockerRepository>:latest, the image CAT compares with (its default
#    previous_connector_version is "latest"), and <dockerRepository>:<version>.
# 3. The two tests, run with the vendored CAT the way ../shared/tools/real-cat/run runs it (whose
#    `run` deselects them): its Python path, its config adapter (connector_image; for 0.11.5 the
#    keys its config model forbids), its Dagger stand-in for 3.8.6, its summary. Nothing of
#    real-cat is copied here; it must be beside the checkout (our CI machines only).
#
# usage: scripts/ci/backward-compat.sh [--skip-build] [--image IMAGE] [--out DIR]
#   --skip-build  use the <dockerRepository>:latest already in the engine
#   --image       the image under test (default: acceptance-test-config.yml's connector_image)
#   --out         results folder (default: $TMPDIR or /tmp, /cat-backward-compat)
# Needs: npm run build (dist/scripts), a Docker engine with the image under test, real-cat's
# setup done, and the fake Amplitude listening where integration_tests/sample_config.json says
# (npm run fake -- --port 8089). Exit code: 0 passed or skipped; 1 a test failed; 2 usage;
# 3 something needed is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
project="$PWD"
say() { echo "backward-compat: $*"; }
die() { local code="$1"; shift; echo "backward-compat: $*" >&2; exit "$code"; }

build=1 image="" out="${TMPDIR:-/tmp}/cat-backward-compat"
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) build=0; shift ;;
    --image) image="${2:?--image needs a value}"; shift 2 ;;
    --out) out="${2:?--out needs a value}"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die 2 "unknown argument $1 (see --help)" ;;
  esac
done

real_cat="$(cd "$project/../shared/tools/real-cat" 2>/dev/null && pwd)" \
  || die 3 "../shared/tools/real-cat is not beside the checkout (it exists on this project's CI machines only)"
. "$real_cat/lib/pythonpath.sh" # CAT_VERSIONS_KNOWN, PY, cat_pythonpath
[ -f dist/scripts/previous-release.js ] || die 3 "dist/scripts is missing: run npm run build first"

repository="$(sed -n 's/^  dockerRepository: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' metadata.yaml)"
[ -n "$image" ] || image="$(sed -n 's/^connector_image: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' acceptance-test-config.yml)"
current="$(node -p 'require("./package.json").version')"
previous_image="$repository:latest"

# ---------------------------------------------------------------- 1. the previous release
read -r version commit how < <(node dist/scripts/previous-release.js) || die 3 "no previous release (see above)"
say "$current's previous release: $version, commit ${commit:0:12} (from $how)"

# ---------------------------------------------------------------- 2. its image
if [ "$build" = 1 ]; then
  tree="$(mktemp -d "${TMPDIR:-/tmp}/previous-release.XXXXXX")"
  trap 'rm -rf "$tree"' EXIT
  git archive "$commit" | tar -x -C "$tree"
  [ -f "$tree/Dockerfile" ] || die 3 "commit ${commit:0:12} has no Dockerfile: it is not a release. Fetch the tags (git fetch --tags) so that v$version is found"
  start=$SECONDS
  bash scripts/build-image.sh --context "$tree" --tag "$previous_image" --tag "$repository:$version"
  say "built $previous_image ($version) in $((SECONDS - start)) s"
fi
label="$(docker image inspect --format '{{ index .Config.Labels "io.airbyte.version" }}' "$previous_image" 2>/dev/null)" \
  || die 3 "no image $previous_image in the engine (run without --skip-build)"
[ "$label" = "$version" ] || die 1 "$previous_image is labelled io.airbyte.version=$label, not $version"

# ---------------------------------------------------------------- 3. the CAT runs
"$real_cat/setup" --check >/dev/null 2>&1 || die 3 "CAT's Python packages are missing: run $real_cat/setup as root"
for i in "$image" "$previous_image"; do
  engine="$(PYTHONDONTWRITEBYTECODE=1 "$PY" "$real_cat/lib/engine-check.py" "$i" 2>&1)" || die 3 "$engine"
done
say "engine: $engine; under test: $image ($current), previous: $previous_image ($version)"
base_url="$(node -p 'require("./integration_tests/sample_config.json").base_url ?? ""')"
if [[ "$base_url" =~ ^http://127\.0\.0\.1:([0-9]+)$ ]]; then
  (exec 3<>"/dev/tcp/127.0.0.1/${BASH_REMATCH[1]}") 2>/dev/null \
    || die 3 "nothing listens at $base_url: start the fake Amplitude (npm run fake -- --port ${BASH_REMATCH[1]})"
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -rf "$out/work" "$out"/cat-*.log "$out"/cat-*.xml "$out"/summary.txt
copy="$out/work/project" # CAT reads a copy: secrets/config.json never touches the checkout
mkdir -p "$copy/secrets"
git ls-files -z -co --exclude-standard | tar --null -T - -cf - 2>/dev/null | tar -xf - -C "$copy"
cp integration_tests/sample_config.json "$copy/secrets/config.json"

runs=()
for v in $CAT_VERSIONS_KNOWN; do
  src="$real_cat/vendor/connector-acceptance-test-$v"
  case "$v" in
    0.11.5) drop=(--drop-keys validate_stream_statuses,validate_state_messages,validate_primary_keys_data_type,deployment_mode,auth_default_method)
      plugins=() ;;
    *) drop=() plugins=(-p cat_docker_shim) ;;
  esac
  "$PY" "$real_cat/lib/adapt-config.py" acceptance-test-config.yml "$copy/acceptance-test-config.yml" "$image" "${drop[@]}"
  log="$out/cat-$v.log" xml="$out/cat-$v.xml" cwd="$out/work/pytest-$v"
  mkdir -p "$cwd"
  say "CAT $v: the backward-compatibility tests (log: $log)"
  start=$SECONDS
  set +e
  (cd "$cwd" && PYTHONPATH="$(cat_pythonpath "$v")" PYTHONDONTWRITEBYTECODE=1 "$PY" -m pytest \
    -c "$src/pytest.ini" --rootdir "$src" -p no:cacheprovider "${plugins[@]}" -p connector_acceptance_test.plugin \
    --acceptance-test-config "$copy" --junitxml="$xml" -m backward_compatibility \
    -o addopts="-r fEsx --capture=no -vv --log-level=INFO --color=no") >"$log" 2>&1
  rc=$?
  set -e
  runs+=("$v:$rc:$((SECONDS - start)):$xml:$log")
done
# summarize.py's note on deselected tests speaks of real-cat's run (which deselects these two);
# here the deselected ones are all the others.
set +e
"$PY" "$real_cat/lib/summarize.py" "== CAT backward compatibility: $image ($current) against $previous_image ($version); results in $out" \
  "${runs[@]}" | sed '/^  (deselected: the backward_compatibility tests/s/.*/  (deselected: every other test; real-cat run runs those)/' | tee "$out/summary.txt"
status=${PIPESTATUS[0]}
exit "$status"
