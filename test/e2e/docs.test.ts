import { spawnSync } from "node:child_process";
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
import { CATALOG_RECIPE } from "../../src/config/catalog.js";

/**
 * What the docs tell a user to run and where they point, checked against the repository:
 * the traps a newcomer met (a demo catalog paired with their config, a world-readable
 * secrets file, a records file in the repository root) must not come back.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DOCS = [
  "README.md",
  "ARCHITECTURE.md",
  "CONTRIBUTING.md",
  "docs/amplitude-charts.md",
  "docs/using-the-data.md",
  "docs/performance.md",
  "integration_tests/README.md",
];
const text = (file: string): string => readFileSync(join(ROOT, file), "utf8");

/** GitHub's anchor for a heading. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

const anchors = (file: string): Set<string> =>
  new Set(
    text(file)
      .split("\n")
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => slug(line.replace(/^#+ /, ""))),
  );

describe("the docs", () => {
  it.each(DOCS)("%s links only to files and headings that exist", (file) => {
    const links = [...text(file).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
    for (const link of links.filter((l) => !/^[a-z]+:/.test(l))) {
      const [path, anchor] = link.split("#") as [string, string | undefined];
      const target = path === "" ? file : join(dirname(file), path);
      expect(existsSync(join(ROOT, target)), `${file} -> ${link}`).toBe(true);
      if (anchor && target.endsWith(".md")) {
        expect(anchors(target).has(anchor), `${file} -> ${link}: no such heading`).toBe(true);
      }
    }
  });

  it("never pair a user's config with the demo's catalog", () => {
    for (const file of DOCS) {
      for (const line of text(file).split("\n")) {
        if (
          line.includes("secrets/config.json") &&
          line.includes("integration_tests/configured_catalog.json")
        ) {
          expect.fail(`${file}: ${line}`);
        }
      }
    }
  });

  it("never make a secrets file readable by everyone, nor write records into the repository root", () => {
    for (const file of DOCS) {
      expect(text(file), file).not.toMatch(/chmod 6[46]4/);
      expect(text(file), file).not.toMatch(/>\s*records\.jsonl/);
    }
  });

  it("say that check prints LOG lines before its status, not one line", () => {
    expect(text("docs/amplitude-charts.md")).not.toMatch(/prints one line/);
  });

  it("hold the section every catalog error points to", () => {
    expect(CATALOG_RECIPE).toContain("'A configured catalog' in docs/amplitude-charts.md");
    expect(anchors("docs/amplitude-charts.md").has("a-configured-catalog")).toBe(true);
  });

  it("follow Airbyte's connector-docs template", () => {
    const headings = text("docs/amplitude-charts.md")
      .split("\n")
      .filter((line) => line.startsWith("## "));
    expect(headings).toEqual([
      "## Prerequisites",
      "## Setup guide",
      "## Supported sync modes",
      "## Supported Streams",
      "## Limitations & Troubleshooting",
      "## Changelog",
    ]);
    expect(text("docs/amplitude-charts.md")).toMatch(/## Changelog\n\n<details>/);
  });
});

describe("scripts/build-image.sh in a user's clone", () => {
  const scratch = mkdtempSync(join(tmpdir(), "build-image-test-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("without Docker, a local base or a registry: says what to do, no ../shared needed", () => {
    // A clone with nothing beside it, a docker client without an engine, and a buildah
    // that can neither find nor pull the base image.
    const clone = join(scratch, "clone");
    mkdirSync(join(clone, "scripts"), { recursive: true });
    for (const file of [
      "scripts/build-image.sh",
      "Dockerfile",
      "metadata.yaml",
      "acceptance-test-config.yml",
    ]) {
      copyFileSync(join(ROOT, file), join(clone, file));
    }
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
    const result = spawnSync("bash", [join(clone, "scripts", "build-image.sh")], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
    });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain("could not be pulled (no registry reachable?)");
    expect(result.stderr).toContain("docker build -t airbyte/source-amplitude-charts:dev .");
    expect(result.stderr).toContain("docker save -o node.tar");
    expect(result.stderr).toContain("buildah pull docker-archive:node.tar");
    expect(existsSync(join(scratch, "shared"))).toBe(false);
  });

  it("with a Docker engine that has no base and no registry: says what to do, builds nothing", () => {
    const clone = join(scratch, "clone-docker");
    mkdirSync(join(clone, "scripts"), { recursive: true });
    for (const file of [
      "scripts/build-image.sh",
      "Dockerfile",
      "metadata.yaml",
      "acceptance-test-config.yml",
    ]) {
      copyFileSync(join(ROOT, file), join(clone, file));
    }
    const bin = join(scratch, "bin-docker");
    mkdirSync(bin);
    const log = join(scratch, "docker-calls");
    writeFileSync(
      join(bin, "docker"),
      `#!/bin/sh\necho "$*" >> "${log}"\n` +
        'case "$1" in info) exit 0;; image) exit 1;; pull) echo "Error: no such host" >&2; exit 1;; *) exit 0;; esac\n',
    );
    chmodSync(join(bin, "docker"), 0o755);
    const result = spawnSync("bash", [join(clone, "scripts", "build-image.sh")], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
    });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain("could not be pulled (no registry reachable?)");
    expect(result.stderr).toContain("docker load -i node.tar");
    const calls = readFileSync(log, "utf8");
    expect(calls).toMatch(/^pull /m);
    expect(calls).not.toMatch(/^build /m);
  });
});
