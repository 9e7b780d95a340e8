# Airbyte source connector image: source-amplitude-charts.
#
# Stage 1 (build) installs what compiling needs (the production dependencies, the
# TypeScript compiler and its type packages) from the lockfile and compiles the
# TypeScript; stage 2 (prod-deps) installs the production dependencies only; the
# runtime stage holds those, the built code (dist/src) and spec.json, nothing else.
# The base is pinned to an exact Node.js LTS version tag (not a digest, so that a
# local stand-in with the same name can stand for it where no registry is reachable).
# Keep io.airbyte.name / io.airbyte.version equal to metadata.yaml's dockerRepository /
# dockerImageTag, and AIRBYTE_ENTRYPOINT equal to the ENTRYPOINT joined by spaces
# (the acceptance suite checks all three).

FROM node:24.22.3-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
# The other devDependencies are the tests' and the linters' (DuckDB's native bindings
# alone are 68 MB): they are dropped from package.json, and npm ci installs the rest at
# the lockfile's versions, checked against its integrity hashes.
RUN node -e ' \
      const fs = require("fs"); \
      const pkg = JSON.parse(fs.readFileSync("package.json", "utf8")); \
      const build = ["typescript", "@types/node", "@types/yargs"]; \
      for (const name of build) if (!pkg.devDependencies[name]) throw new Error(name + " is not a devDependency"); \
      pkg.devDependencies = Object.fromEntries(build.map((name) => [name, pkg.devDependencies[name]])); \
      fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2));' \
 && npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json spec.json ./
COPY src ./src
RUN npm run build && find dist -name '*.map' -exec rm -f {} +

FROM node:24.22.3-bookworm-slim AS prod-deps
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24.22.3-bookworm-slim
# Airbyte's image rules: a user named airbyte, uid 1000 (the base's node user, renamed),
# owning a writable /airbyte. Chart bodies wait in the first writable of TMPDIR, /tmp,
# /airbyte and the working directory, else in memory (a read-only root file system).
# /bin/sh is bash: the platform runs `sh -c "$AIRBYTE_ENTRYPOINT read ..."`, and bash runs
# that one command in its own place (dash forks it), so node is the container's first
# process and hears SIGTERM (docker stop, a cancelled sync) and SIGINT; under dash they
# went to a shell that ignores them, and the read ran on until SIGKILL.
RUN usermod --login airbyte --home /home/airbyte --move-home node \
 && groupmod --new-name airbyte node \
 && install -d -o airbyte -g airbyte -m 0755 /airbyte \
 && ln -sf bash /bin/sh
WORKDIR /airbyte/integration_code
# package.json declares "type": "module" for dist/; spec.json is read by `spec` and
# by the config validation (found next to dist/, never through the cwd).
COPY --from=prod-deps /build/node_modules ./node_modules
COPY --from=build /build/dist/src ./dist/src
COPY package.json spec.json ./
# Memory (docs/performance.md; npm run bench runs the CLI with these settings):
# - --max-semi-space-size=8: Node 24 lets V8's young generation grow to 64 MB
#   semi-spaces (a 141 MB heap for a large chart); 8 MB held it at ~29 MB, at a cost
#   within the run-to-run noise.
# - MALLOC_MMAP_THRESHOLD_: glibc raises its mmap threshold each time it frees a large
#   block (V8 frees a 7 MB one early on), after which 64-256 kB buffers (socket reads,
#   UTF-8 writes) come from the heap and fragment it. Fixed at glibc's default, peak RSS
#   on a 14.6M-record chart was 119-130 MB instead of 122-149.
ENV NODE_ENV=production \
    TMPDIR=/tmp \
    MALLOC_MMAP_THRESHOLD_=131072 \
    AIRBYTE_ENTRYPOINT="/usr/local/bin/node --max-semi-space-size=8 /airbyte/integration_code/dist/src/cli.js"
LABEL io.airbyte.name="airbyte/source-amplitude-charts" \
      io.airbyte.version="0.3.0" \
      org.opencontainers.image.title="source-amplitude-charts" \
      org.opencontainers.image.description="Airbyte source: Amplitude saved charts (by chart ID) as long rows" \
      org.opencontainers.image.licenses="MIT"
# The code is root-owned and read-only to the airbyte user.
USER airbyte
ENTRYPOINT ["/usr/local/bin/node", "--max-semi-space-size=8", "/airbyte/integration_code/dist/src/cli.js"]
