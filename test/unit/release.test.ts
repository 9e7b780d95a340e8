import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  compareVersions,
  parseVersion,
  previousFromHistory,
  previousFromTags,
} from "../../scripts/release.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const text = (file: string): string => readFileSync(join(ROOT, file), "utf8");

/**
 * A release is one version in every place a user or the platform reads it: package.json,
 * metadata.yaml's dockerImageTag, the image's io.airbyte.version label and every image
 * name with a tag in the docs; and a changelog row for it (CONTRIBUTING.md, Releases).
 */
describe("the release version", () => {
  const version = (JSON.parse(text("package.json")) as { version: string }).version;

  it("package.json's version is X.Y.Z", () => {
    expect(parseVersion(version), version).toBeDefined();
  });

  it("package-lock.json says the same version (npm version X.Y.Z --no-git-tag-version)", () => {
    const lock = JSON.parse(text("package-lock.json")) as {
      version: string;
      packages: Record<string, { version?: string }>;
    };
    expect([lock.version, lock.packages[""]?.version]).toEqual([version, version]);
  });

  it("metadata.yaml's dockerImageTag is package.json's version", () => {
    const metadata = parse(text("metadata.yaml")) as { data: { dockerImageTag: string } };
    expect(metadata.data.dockerImageTag).toBe(version);
  });

  it("the Dockerfile's io.airbyte.version label is package.json's version", () => {
    const labels = [...text("Dockerfile").matchAll(/io\.airbyte\.version="([^"]*)"/g)];
    expect(labels.map((m) => m[1])).toEqual([version]);
  });

  const docs = [
    "README.md",
    "CONTRIBUTING.md",
    "integration_tests/README.md",
    ...readdirSync(join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  it.each(docs)("every source-amplitude-charts:X.Y.Z in %s is package.json's version", (file) => {
    const tagged = [...text(file).matchAll(/source-amplitude-charts:(\d+\.\d+\.\d+)\b/g)];
    expect(tagged.map((m) => m[1]).filter((v) => v !== version)).toEqual([]);
  });

  it("the README names the image with its version tag", () => {
    expect(text("README.md")).toContain(`airbyte/source-amplitude-charts:${version}`);
  });

  it("the docs' changelog has a row for it, newest first", () => {
    const changelog = text("docs/amplitude-charts.md").split("## Changelog")[1] ?? "";
    const rows = [...changelog.matchAll(/^\| (\d+\.\d+\.\d+) +\| (\d{4}-\d{2}-\d{2}) +\|/gm)].map(
      (m) => m[1] as string,
    );
    expect(rows[0]).toBe(version);
    expect([...rows].sort((a, b) => compareVersions(b, a))).toEqual(rows);
  });
});

describe("the previous release", () => {
  const tags = [
    { name: "v0.1.0", commit: "c010" },
    { name: "v0.2.0", commit: "c020" },
    { name: "v0.10.0", commit: "c100" },
    { name: "nightly", commit: "cxxx" },
    { name: "v1.0.0-rc1", commit: "crc1" },
  ];

  it("from the tags: the newest vX.Y.Z older than the current version, by number", () => {
    expect(previousFromTags("0.2.0", tags)).toEqual({
      version: "0.1.0",
      commit: "c010",
      source: "tag v0.1.0",
    });
    expect(previousFromTags("0.11.0", tags)?.version).toBe("0.10.0");
    expect(previousFromTags("0.3.0", tags)?.commit).toBe("c020"); // an uncommitted bump
    expect(previousFromTags("0.1.0", tags)).toBeUndefined();
    expect(previousFromTags("0.2.0", [])).toBeUndefined();
  });

  it("from package.json's history: the version before the current one, at the commit that first set it", () => {
    const history = [
      { commit: "h5", version: "0.3.0" },
      { commit: "h4", version: "0.3.0" },
      { commit: "h3", version: "0.2.0" },
      { commit: "h2", version: "0.2.0" },
      { commit: "h1", version: "0.1.0" },
    ];
    expect(previousFromHistory("0.3.0", history)).toMatchObject({ version: "0.2.0", commit: "h2" });
    expect(previousFromHistory("0.4.0", history)).toMatchObject({ version: "0.3.0", commit: "h4" });
    expect(previousFromHistory("0.1.0", history.slice(4))).toBeUndefined();
    expect(() => previousFromHistory("0.1.0", history)).toThrow("versions must grow");
  });

  it("compares versions by number, not as text", () => {
    expect(compareVersions("0.10.0", "0.9.9")).toBeGreaterThan(0);
    expect(compareVersions("1.0.0", "1.0.0")).toBe(0);
    expect(() => compareVersions("1.0", "1.0.0")).toThrow("not a version");
  });
});
