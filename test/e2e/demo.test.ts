import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { EXPORT_METADATA_FIELDS } from "../helpers/protocol.js";
import { serveDemo } from "../helpers/run-cli.js";
import {
  SAMPLE_API_KEY,
  SAMPLE_CHARTS,
  SAMPLE_SECRET_KEY,
  sampleChartEntries,
  sampleExpectations,
} from "../../fake-amplitude/sample-charts.js";

/** `npm run demo`, as a newcomer runs it: scripts/demo.mjs against the built CLI. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DEMO = join(ROOT, "scripts", "demo.mjs");

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function demo(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    // --skip-setup: `npm run test:slow` has just built; the demo must not run npm itself here.
    const child = spawn(process.execPath, [DEMO, "--skip-setup", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const lines = (file: string): Record<string, unknown>[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const out = mkdtempSync(join(tmpdir(), "amplitude-charts-demo-"));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

describe("npm run demo", () => {
  it("runs spec, check, discover and read against the fake and writes one file per stream", async () => {
    const result = await demo(["--out", out]);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stderr).toBe("");

    // The summary: every command's outcome, then each stream with its first rows.
    for (const command of ["spec", "check", "discover", "read"]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command} +ok `, "m"));
    }
    expect(result.stdout).toContain("SUCCEEDED");
    expect(result.stdout).toMatch(/dimension_value +segment +value/);
    expect(result.stdout).toMatch(/chart_id +title +metric +event +dimension/);
    expect(result.stdout).toContain("demo: OK.");

    const { recordCounts, titles } = sampleExpectations();
    for (const [stream, count] of Object.entries(recordCounts)) {
      expect(result.stdout).toMatch(new RegExp(`^${stream} \\(.+\\): ${count} records -> `, "m"));
      expect(lines(join(out, `${stream}.jsonl`)), stream).toHaveLength(count);
    }
    const metadata = lines(join(out, "charts_metadata.jsonl"));
    expect(metadata.map((m) => [m.chart_id, m.title])).toEqual(
      SAMPLE_CHARTS.map((c) => [c.id, titles[c.id]]),
    );
    // Without a Developer API token, charts_metadata is what the export alone gives.
    for (const record of metadata) {
      expect(Object.keys(record)).toEqual(EXPORT_METADATA_FIELDS);
    }
    expect(result.stdout).not.toContain("Developer API's details");

    // The group-by: forward-filled labels, a [Previous] comparison row, an empty cell.
    const signups = lines(join(out, "chart_m7x3q9wz.jsonl"));
    expect(signups[4]).toMatchObject({
      dimension_name: "Segment; Country",
      dimension_value: "All Users; Germany",
      segment: "2026-10-26",
      value: 402,
      dimensions: { Segment: "All Users", Country: "Germany" },
    });
    expect(signups.some((r) => r.dimension_value === "[Previous] All Users; Canada")).toBe(true);
    expect(signups.filter((r) => r.value === null)).toHaveLength(1);

    // The config the demo used, and a catalog of every stream.
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as {
      chart_ids: string[];
      base_url: string;
    };
    expect(config.chart_ids).toEqual(sampleChartEntries());
    expect(config.base_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const catalog = JSON.parse(readFileSync(join(out, "catalog.json"), "utf8")) as {
      streams: { stream: { name: string }; sync_mode: string }[];
    };
    expect(catalog.streams.map((s) => s.stream.name)).toEqual(Object.keys(recordCounts));
    expect(catalog.streams.every((s) => s.sync_mode === "full_refresh")).toBe(true);

    // History: three incremental syncs of a moving 14-day window, deduplicated, keep 20 days.
    expect(result.stdout).toMatch(
      /deduplicated on the primary key: 40 records, 20 days \(2026-11-09 \.\. 2026-11-28\); the chart shows 14/,
    );
    const kept = lines(join(out, "history", "chart_k2d8s0a1.jsonl"));
    expect(new Set(kept.map((r) => r.period_start)).size).toBe(20);
    // The restated day (the first sync's last, still in progress then) has its later value.
    const restated = kept.find(
      (r) => r.dimension_value === "All Users" && r.segment === "2026-11-22",
    );
    const first = lines(join(out, "history", "sync-1.jsonl")).find(
      (r) => r.dimension_value === "All Users" && r.segment === "2026-11-22",
    );
    expect(restated?.value).toBeGreaterThan(first?.value as number);

    // The README's excerpt of this output: each of its lines begins one the demo prints (the
    // time aside; the excerpt may leave out a line's end, the file it names).
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const excerpt = /```text\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
    const printed = result.stdout.replace(/\(\d+(\.\d+)? s\)/g, "(... s)").split("\n");
    expect(excerpt.split("\n").filter((line) => line !== "").length).toBeGreaterThan(5);
    for (const line of excerpt.split("\n").filter((l) => l !== "")) {
      expect(
        printed.filter((p) => p.startsWith(line)),
        line,
      ).not.toEqual([]);
    }
  }, 180_000);

  it("--developer-api shows a charts_metadata record with the chart's type, link and filters", async () => {
    const enriched = mkdtempSync(join(tmpdir(), "amplitude-charts-demo-dev-"));
    try {
      const result = await demo(["--developer-api", "--out", enriched]);
      expect(result.code, result.stderr + result.stdout).toBe(0);
      expect(result.stdout).toContain(
        "charts_metadata with the Developer API's details (developer_api_token is set):",
      );
      expect(result.stdout).toContain('"chart_type": "event_segmentation"');
      expect(result.stdout).toContain(
        '"url": "https://app.amplitude.com/analytics/acme/chart/m7x3q9wz"',
      );
      expect(result.stdout).toContain('"subprop_key": "platform"');
      // The token is a secret: in no output, not even the demo's summary.
      expect(result.stdout + result.stderr).not.toContain("amp_sample_token_0000");
      const metadata = lines(join(enriched, "charts_metadata.jsonl"));
      expect(metadata.map((m) => m.chart_type)).toEqual([
        "event_segmentation",
        "event_segmentation",
        "funnels",
      ]);
    } finally {
      rmSync(enriched, { recursive: true, force: true });
    }
  }, 180_000);

  it("--check verifies the output, and fails loudly on a broken file", async () => {
    const ok = await demo(["--check", "--out", out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("is complete");

    appendFileSync(join(out, "chart_p4n6r2tb.jsonl"), "not json\n");
    const broken = await demo(["--check", "--out", out]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/demo FAILED: .*chart_p4n6r2tb\.jsonl line 10 is not JSON/);
  }, 60_000);

  it("--serve keeps the fake running and prints the commands to try, the image's with --network host", async () => {
    const served = mkdtempSync(join(tmpdir(), "amplitude-charts-demo-serve-"));
    const { child, stdout } = await serveDemo(served);
    try {
      const url = /keeps serving at (http:\/\/127\.0\.0\.1:\d+)\./.exec(stdout)?.[1];
      expect(url).toBeDefined();
      const config = JSON.parse(readFileSync(join(served, "config.json"), "utf8")) as {
        base_url: string;
      };
      expect(config.base_url).toBe(url);
      // The image's lines: the host's network (the fake is on the host's 127.0.0.1), the
      // demo's folder mounted read-only, the image build-image.sh tags.
      const image = `airbyte/source-amplitude-charts:${(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version}`;
      const mount = `docker run --rm --network host -v "${served}:/demo:ro" ${image}`;
      expect(stdout).toContain(`      ${mount} check --config /demo/config.json\n`);
      expect(stdout).toContain(
        `      ${mount} read --config /demo/config.json --catalog /demo/catalog.json\n`,
      );
      // Still serving: the config's keys get a chart.
      const auth = Buffer.from(`${SAMPLE_API_KEY}:${SAMPLE_SECRET_KEY}`).toString("base64");
      expect(url).toBeDefined();
      const chart = await fetch(`${url ?? ""}/api/3/chart/k2d8s0a1/csv`, {
        headers: { authorization: `Basic ${auth}` },
      });
      expect(chart.status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      rmSync(served, { recursive: true, force: true });
    }
  }, 180_000);

  it("answers an unknown option with its usage and exit code 2", async () => {
    const result = await demo(["--bogus"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown option "--bogus"');
    expect(result.stderr).toContain("usage: npm run demo");
  });
});
