import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CATALOG_RECIPE } from "../../src/config/configured-catalog.js";

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
