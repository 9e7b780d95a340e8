import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A user's clone, as build-image.sh sees it: the files it reads, nothing beside it. */
function userClone(clone: string): string {
  mkdirSync(join(clone, "scripts"), { recursive: true });
  for (const file of [
    "scripts/build-image.sh",
    "Dockerfile",
    "metadata.yaml",
    "acceptance-test-config.yml",
  ]) {
    copyFileSync(join(ROOT, file), join(clone, file));
  }
  return clone;
}

/** scripts/build-image.sh in `clone`, with the stand-in programs of `bin` first on PATH. */
function buildImage(clone: string, bin: string): SpawnSyncReturns<string> {
  return spawnSync("bash", [join(clone, "scripts", "build-image.sh")], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
  });
}

describe("scripts/build-image.sh in a user's clone", () => {
  const scratch = mkdtempSync(join(tmpdir(), "build-image-test-"));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it("without Docker, a local base or a registry: says what to do, no ../shared needed", () => {
    // A clone with nothing beside it, a docker client without an engine, and a buildah
    // that can neither find nor pull the base image.
    const clone = userClone(join(scratch, "clone"));
    const bin = join(scratch, "bin");
    mkdirSync(bin);
    const fake = (name: string, script: string): void => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    fake("docker", 'echo "Cannot connect to the Docker daemon" >&2; exit 1');
    fake(
      "buildah",
      'case "$1" in --version) echo "buildah 1.28";; inspect) exit 125;; pull) echo "Error: no such host" >&2; exit 125;; *) exit 0;; esac',
    );
    const result = buildImage(clone, bin);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain("could not be pulled (no registry reachable?)");
    expect(result.stderr).toContain("docker build -t airbyte/source-amplitude-charts:dev .");
    expect(result.stderr).toContain("docker save -o node.tar");
    expect(result.stderr).toContain("buildah pull docker-archive:node.tar");
    expect(existsSync(join(scratch, "shared"))).toBe(false);
  });

  it("with a Docker engine that has no base and no registry: says what to do, builds nothing", () => {
    const clone = userClone(join(scratch, "clone-docker"));
    const bin = join(scratch, "bin-docker");
    mkdirSync(bin);
    const log = join(scratch, "docker-calls");
    writeFileSync(
      join(bin, "docker"),
      `#!/bin/sh\necho "$*" >> "${log}"\n` +
        'case "$1" in info) exit 0;; image) exit 1;; pull) echo "Error: no such host" >&2; exit 1;; *) exit 0;; esac\n',
    );
    chmodSync(join(bin, "docker"), 0o755);
    const result = buildImage(clone, bin);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain("could not be pulled (no registry reachable?)");
    expect(result.stderr).toContain("docker load -i node.tar");
    const calls = readFileSync(log, "utf8");
    expect(calls).toMatch(/^pull /m);
    expect(calls).not.toMatch(/^build /m);
  });
});
