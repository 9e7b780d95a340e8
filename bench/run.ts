/**
 * npm run bench: throughput and memory of `read`, end to end, against the floor.
 *
 * Serves generated charts (Amplitude's CSV style, JSON envelope) from the fake Amplitude
 * on 127.0.0.1, runs the built CLI as the image runs it (the node flags of the
 * Dockerfile's ENTRYPOINT, its MALLOC_* settings) with stdout piped into a separate
 * reader (`wc -l`), and measures wall time and peak RSS with /usr/bin/time -v. The floor
 * program (bench/floor.ts) runs in the same pairs, alternating order. Prints a table and
 * writes it into docs/performance.md between the bench markers (formatted by prettier).
 *
 * Start-up: `spec` and `discover` (a small config, no network) run as the image runs them,
 * against a bare `node -e 0` with the same node, flags and environment, interleaved; the
 * medians of BENCH_STARTUP_RUNS runs each (default 21) and their ratio to the bare start.
 *
 * A dashboard scenario then reads 12 small charts that Amplitude computes in skewed times
 * (the first in 6 s, the others in 1 s; max_concurrent_requests 3) and prints the wall
 * time against the lower bound max(longest chart, total compute / concurrency).
 *
 * A data-table scenario reads a data table (no `Segment` header, every cell marked, value
 * columns `<metric>--<segment>`: bench/chart.ts) of 100,000 and of 400,000 rows, in pairs,
 * and prints their peak RSS and its ratio (target: flat memory). An incremental scenario
 * reads the 1x chart with sync_mode incremental from a --state 3 days before its last date
 * (the default lookback_days), beside a full refresh of it, in pairs. Both check each
 * run's exact count of RECORD lines.
 *
 * Options (env): BENCH_ONLY=dashboard, datatable, incremental or startup (only that
 * scenario, printed, nothing written), BENCH_PAIRS (default 3), BENCH_STARTUP_RUNS (21),
 * BENCH_ROWS (default 10000), BENCH_DAYS (365),
 * BENCH_NODE (the node binary, default `node` on PATH; the image runs Node 24),
 * BENCH_IMAGE (run the connector in that built image, with Docker or buildah: see
 * scripts/container.ts; /usr/bin/time then reports the largest process of the run, the
 * connector's node; wall times include the container's start), BENCH_NO_WRITE=1 to leave
 * docs/performance.md alone.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeAmplitude, type Fault } from "../fake-amplitude/server.js";
import { containerEngine, type Prepared } from "../scripts/container.js";
import { dockerfile, runtimeStage } from "../scripts/dockerfile.js";
import { benchChartCsv, benchDataTableCsv, DATA_TABLE_VALUES, benchChartDates } from "./chart.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(root, "dist", "src", "cli.js");
const FLOOR = join(root, "dist", "bench", "floor.js");
const TIME = "/usr/bin/time";
const API_KEY = "bench-api-key";
const SECRET_KEY = "bench-secret-key";
const NODE = process.env.BENCH_NODE ?? "node";
const IMAGE = process.env.BENCH_IMAGE;

const PAIRS = Number(process.env.BENCH_PAIRS ?? 3);
const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 21);
const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
/** The dashboard scenario: Amplitude's compute time per chart, in config order. */
const DASHBOARD_MS = [6_000, ...Array.from({ length: 11 }, () => 1_000)];
const DASHBOARD_CONCURRENCY = 3;
const DASHBOARD_ROWS = 200;
/** Multi-chart run: Amplitude takes seconds to compute a chart; the fake waits this long. */
const LATENCY_MS = 2_000;
const MULTI_CHARTS = 6;
const MULTI_ROWS = Math.max(1, Math.round(ROWS / 5));
/** The data-table scenario: a table without a `Segment` header, at two sizes (rows). */
const DATA_TABLE_SIZES = [
  { label: "100k", id: "datatable100k", rows: 100_000 },
  { label: "400k", id: "datatable400k", rows: 400_000 },
];
/** The incremental scenario: the state's period_start, this many days before the 1x chart's last date. */
const STATE_DAYS_BEFORE_END = 3;

interface Run {
  wallS: number;
  peakRssMb: number;
  /** What the reader counted: stdout's lines, or its RECORD lines (measure's `count`). */
  lines: number;
}

type Connector = (args: string[]) => Prepared;

/** What BENCH_ONLY may name. */
const SCENARIOS = ["startup", "dashboard", "datatable", "incremental"];

async function main(): Promise<void> {
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: apt-get install -y time`);
  const onlyName = process.env.BENCH_ONLY;
  if (onlyName && !SCENARIOS.includes(onlyName))
    throw new Error(`BENCH_ONLY=${onlyName}: expected one of ${SCENARIOS.join(", ")}`);
  const sizes = [
    { label: "1x", id: "bench1x", rows: ROWS },
    { label: "4x", id: "bench4x", rows: ROWS * 4 },
  ];
  // Generated once: the fake's CPU stands for Amplitude's servers, not for this machine.
  const charts: Record<string, { csv: () => Iterable<string> }> = {};
  for (const s of sizes) {
    const chunks = [...benchChartCsv(s.rows, DAYS)];
    charts[s.id] = { csv: () => chunks };
  }
  const multiChunks = [...benchChartCsv(MULTI_ROWS, DAYS)];
  for (let i = 0; i < MULTI_CHARTS; i++) charts[`multi${i}`] = { csv: () => multiChunks };
  const slow = (delayMs: number): Fault[] =>
    Array.from({ length: 50 }, () => ({ kind: "slow", delayMs }));
  const faults: Record<string, Fault[]> = {};
  for (let i = 0; i < MULTI_CHARTS; i++) faults[`multi${i}`] = slow(LATENCY_MS);
  for (const s of DATA_TABLE_SIZES) {
    const chunks = [...benchDataTableCsv(s.rows)];
    charts[s.id] = { csv: () => chunks };
  }
  const dashboardChunks = [...benchChartCsv(DASHBOARD_ROWS, 30)];
  DASHBOARD_MS.forEach((ms, i) => {
    charts[`dash${i}`] = { csv: () => dashboardChunks };
    faults[`dash${i}`] = slow(ms);
  });
  const fake = new FakeAmplitude({ apiKey: API_KEY, secretKey: SECRET_KEY, charts, faults });
  const baseUrl = await fake.start();
  const dir = mkdtempSync(join(tmpdir(), "amplitude-bench-"));

  const nodeVersion = execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim();
  const image = imageRuntime();
  // In the image, the files are mounted at the same path and read as its user (uid 1000).
  if (IMAGE) chmodSync(dir, 0o755);
  const connector: Connector = (args) =>
    IMAGE
      ? containerEngine().prepare(IMAGE, { mounts: [{ hostDir: dir, containerDir: dir }], args })
      : {
          file: "env",
          args: [...image.env, NODE, ...image.nodeFlags, CLI, ...args],
          cleanup: () => undefined,
        };
  const program = (file: string, args: string[]): Prepared => ({
    file,
    args,
    cleanup: () => undefined,
  });
  const runtimeNote = IMAGE
    ? `the connector run in the image ${IMAGE}, on the image's node (its wall times include the container's start)`
    : `the connector run as the image runs it: \`${[...image.env, "node", ...image.nodeFlags].join(" ")}\` (from the Dockerfile)`;
  console.log(
    `machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${nodeVersion}; ${runtimeNote}`,
  );
  console.log(
    `charts: ${DAYS} date columns; 1x = ${ROWS} rows, 4x = ${ROWS * 4} rows; ${PAIRS} pairs each\n`,
  );

  if (process.env.BENCH_ONLY === "startup") {
    await startup(dir, image);
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  const only: Record<string, () => Promise<string[]>> = {
    dashboard: async () => [await dashboard(dir, baseUrl, connector)],
    datatable: () => dataTable(dir, baseUrl, connector),
    incremental: () => incremental(dir, baseUrl, connector),
  };
  const scenario = only[process.env.BENCH_ONLY ?? ""];
  if (scenario) {
    console.log((await scenario()).join("\n"));
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
    return;
  }

  const results: string[] = [];
  const table: string[] = [
    "| chart | records | input MB | connector rec/s | connector MB/s | wall s | peak RSS MB, median (range) | floor rec/s | floor peak RSS MB | ratio to floor, median (pairs) |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  const peak: Record<string, number> = {};
  const peakMax: Record<string, number> = {};
  const wall: Record<string, number> = {};
  for (const size of sizes) {
    const records = size.rows * DAYS;
    const inputMb = bodyBytes(benchChartCsv(size.rows, DAYS)) / 1e6;
    const files = writeFiles(dir, baseUrl, [size.id], 2);
    const ratios: number[] = [];
    const ours: Run[] = [];
    const floors: Run[] = [];
    for (let p = 0; p < PAIRS; p++) {
      const runOurs = (): Promise<Run> =>
        measure(connector(["read", "--config", files.config, "--catalog", files.catalog]));
      const runFloor = (): Promise<Run> =>
        measure(program(NODE, [FLOOR, baseUrl, API_KEY, SECRET_KEY, size.id]));
      const [a, b] =
        p % 2 === 0
          ? [await runOurs(), await runFloor()]
          : (await Promise.resolve([await runFloor(), await runOurs()])).reverse();
      const [o, f] = [a as Run, b as Run];
      expectLines(o, records, "connector");
      expectLines(f, records, "floor");
      ours.push(o);
      floors.push(f);
      ratios.push(f.wallS / o.wallS);
      console.log(
        `${size.label} pair ${p + 1}: connector ${o.wallS.toFixed(2)} s, ${o.peakRssMb.toFixed(0)} MB; floor ${f.wallS.toFixed(2)} s, ${f.peakRssMb.toFixed(0)} MB; ratio ${(f.wallS / o.wallS).toFixed(2)}`,
      );
    }
    const oWall = median(ours.map((r) => r.wallS));
    const fWall = median(floors.map((r) => r.wallS));
    const rss = ours.map((r) => r.peakRssMb);
    peak[size.label] = median(rss);
    peakMax[size.label] = Math.max(...rss);
    wall[size.label] = oWall;
    table.push(
      `| ${size.label}: ${size.rows.toLocaleString("en-US")} rows x ${DAYS} days | ${records.toLocaleString("en-US")} | ${inputMb.toFixed(0)} | ` +
        `${fmt(records / oWall)} | ${(inputMb / oWall).toFixed(1)} | ${oWall.toFixed(2)} | ` +
        `${median(rss).toFixed(0)} (${Math.min(...rss).toFixed(0)}-${Math.max(...rss).toFixed(0)}) | ` +
        `${fmt(records / fWall)} | ${median(floors.map((r) => r.peakRssMb)).toFixed(0)} | ` +
        `${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(", ")}) |`,
    );
  }
  results.push(
    `4x vs 1x: wall time x${((wall["4x"] ?? 0) / (wall["1x"] ?? 1)).toFixed(2)}, ` +
      `peak RSS x${((peak["4x"] ?? 0) / (peak["1x"] ?? 1)).toFixed(2)} (medians; maxima x${((peakMax["4x"] ?? 0) / (peakMax["1x"] ?? 1)).toFixed(2)})`,
  );

  // Several charts: downloads (Amplitude's compute time) overlap with writing records.
  const one = writeFiles(dir, baseUrl, ["multi0"], 3);
  const six = writeFiles(
    dir,
    baseUrl,
    Array.from({ length: MULTI_CHARTS }, (_, i) => `multi${i}`),
    3,
  );
  const oneRun = await measure(
    connector(["read", "--config", one.config, "--catalog", one.catalog]),
  );
  const sixRun = await measure(
    connector(["read", "--config", six.config, "--catalog", six.catalog]),
  );
  expectLines(sixRun, MULTI_CHARTS * MULTI_ROWS * DAYS, "connector");
  results.push(await dashboard(dir, baseUrl, connector));
  results.push(
    `${MULTI_CHARTS} charts of ${MULTI_ROWS.toLocaleString("en-US")} rows x ${DAYS} days, ${LATENCY_MS / 1000} s of Amplitude compute time each, ` +
      `max_concurrent_requests 3: ${sixRun.wallS.toFixed(2)} s vs ${oneRun.wallS.toFixed(2)} s for one chart = x${(sixRun.wallS / oneRun.wallS).toFixed(2)} (x${MULTI_CHARTS} if nothing overlapped)`,
  );

  const dataTableText = await dataTable(dir, baseUrl, connector);
  const incrementalText = await incremental(dir, baseUrl, connector);
  const startupTable = await startup(dir, image);
  await fake.stop();
  const stamp =
    `Measured ${new Date().toISOString().slice(0, 10)} on a ${cpus().length}-core machine (node ${nodeVersion}) with \`npm run bench\`; ` +
    `${runtimeNote}, the floor with node's defaults.`;
  const text = [
    stamp,
    "",
    ...table,
    "",
    ...results.map((r) => `- ${r}`),
    "",
    ...dataTableText,
    "",
    ...incrementalText,
    "",
    ...startupTable,
  ].join("\n");
  console.log(`\n${text}`);
  rmSync(dir, { recursive: true, force: true });
  if (process.env.BENCH_NO_WRITE !== "1") await writePerformanceDoc(text);
}

/**
 * A data table (no `Segment` header: the connector finds the table only at the end of the
 * body, then reads it again from the spool) at two sizes, in pairs of both (alternating
 * order, so that the machine's load falls on both alike). Returns the table and the
 * ratio of their peak RSS: flat memory is a ratio near 1. Each run's RECORD lines are
 * counted: one per (row, value column).
 */
async function dataTable(dir: string, baseUrl: string, connector: Connector): Promise<string[]> {
  const runs: Record<string, Run[]> = {};
  const ratios: number[] = [];
  const sizes = DATA_TABLE_SIZES.map((size) => ({
    ...size,
    records: size.rows * DATA_TABLE_VALUES.length,
    files: writeFiles(dir, baseUrl, [size.id], 2),
  }));
  for (let p = 0; p < PAIRS; p++) {
    const pair: Record<string, Run> = {};
    for (const size of p % 2 === 0 ? sizes : [...sizes].reverse()) {
      const { config, catalog } = size.files;
      const run = await measure(
        connector(["read", "--config", config, "--catalog", catalog]),
        "records",
      );
      expectRecords(run, size.records, `connector (data table, ${size.label})`);
      (runs[size.label] ??= []).push(run);
      pair[size.label] = run;
    }
    const [small, large] = sizes.map((size) => pair[size.label] as Run) as [Run, Run];
    ratios.push(large.peakRssMb / small.peakRssMb);
    console.log(
      `data table pair ${p + 1}: ` +
        sizes
          .map((size) => {
            const run = pair[size.label] as Run;
            return `${size.label} ${run.wallS.toFixed(2)} s, ${run.peakRssMb.toFixed(0)} MB`;
          })
          .join("; ") +
        `; peak RSS ratio ${(large.peakRssMb / small.peakRssMb).toFixed(2)}`,
    );
  }
  const rows = sizes.map((size) => {
    const ours = runs[size.label] ?? [];
    const walls = ours.map((r) => r.wallS);
    const rss = ours.map((r) => r.peakRssMb);
    const inputMb = bodyBytes(benchDataTableCsv(size.rows)) / 1e6;
    return (
      `| ${size.rows.toLocaleString("en-US")} rows x ${DATA_TABLE_VALUES.length} value columns | ${size.records.toLocaleString("en-US")} | ${inputMb.toFixed(0)} | ` +
      `${fmt(size.records / median(walls))} | ${range(walls, 2)} | ${range(rss, 0)} | ` +
      "n/a: `bench/floor.ts` reads only a table with a `Segment` header |"
    );
  });
  const [small, large] = sizes.map((size) => runs[size.label] ?? []) as [Run[], Run[]];
  const maxOf = (r: Run[]) => Math.max(...r.map((run) => run.peakRssMb));
  return [
    `A data table (no \`Segment\` header; labels \`brand\`, \`year\` (a number) and \`Time\`; value columns \`<metric>--<segment>\`; every cell marked, numbers included), ${PAIRS} pairs of both sizes, alternating order (target: flat memory):`,
    "",
    "| data table | records | input MB | connector rec/s | wall s, median (range) | peak RSS MB, median (range) | floor |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `- 400k vs 100k rows: peak RSS x${median(ratios).toFixed(2)} (median of the pairs: ${ratios.map((r) => r.toFixed(2)).join(", ")}; maxima x${(maxOf(large) / maxOf(small)).toFixed(2)}), ` +
      `wall time x${(median(large.map((r) => r.wallS)) / median(small.map((r) => r.wallS))).toFixed(2)}`,
  ];
}

/**
 * An incremental read of the 1x chart from a state STATE_DAYS_BEFORE_END days before its
 * last date, with the default lookback_days (spec.json's), beside a full refresh of the
 * same chart, in pairs (alternating order). The incremental run must emit exactly the
 * records of the days from (state - lookback) on: ROWS per such day.
 */
async function incremental(dir: string, baseUrl: string, connector: Connector): Promise<string[]> {
  const id = "bench1x";
  const lookbackDays = defaultLookbackDays();
  const chartDates = benchChartDates(DAYS);
  const last = chartDates.at(-1) as string;
  const cursor = `${shiftDays(last, -STATE_DAYS_BEFORE_END)}T00:00:00`;
  const since = shiftDays(last, -STATE_DAYS_BEFORE_END - lookbackDays);
  const days = chartDates.filter((day) => day >= since).length;
  const expected = { full: ROWS * DAYS, incremental: ROWS * days };
  const state = join(dir, "incremental.state.json");
  writeFileSync(
    state,
    JSON.stringify([
      {
        type: "STREAM",
        stream: {
          stream_descriptor: { name: `chart_${id}` },
          stream_state: { period_start: cursor },
        },
      },
    ]),
  );
  const full = writeFiles(dir, baseUrl, [id], 2);
  const inc = writeFiles(dir, baseUrl, [id], 2, "incremental");
  const runs: { full: Run[]; incremental: Run[] } = { full: [], incremental: [] };
  for (let p = 0; p < PAIRS; p++) {
    const modes =
      p % 2 === 0 ? (["full", "incremental"] as const) : (["incremental", "full"] as const);
    for (const mode of modes) {
      const files = mode === "full" ? full : inc;
      // The state is passed to both: full refresh ignores it.
      const run = await measure(
        connector(["read", "--config", files.config, "--catalog", files.catalog, "--state", state]),
        "records",
      );
      expectRecords(run, expected[mode], `connector (${mode})`);
      runs[mode].push(run);
    }
    const [f, i] = [runs.full[p] as Run, runs.incremental[p] as Run];
    console.log(
      `incremental pair ${p + 1}: full refresh ${f.wallS.toFixed(2)} s, ${f.peakRssMb.toFixed(0)} MB; ` +
        `incremental ${i.wallS.toFixed(2)} s, ${i.peakRssMb.toFixed(0)} MB`,
    );
  }
  const row = (label: string, mode: "full" | "incremental"): string => {
    const walls = runs[mode].map((r) => r.wallS);
    const rss = runs[mode].map((r) => r.peakRssMb);
    return `| ${label} | ${expected[mode].toLocaleString("en-US")} | ${range(walls, 2)} | ${range(rss, 0)} |`;
  };
  const wallOf = (mode: "full" | "incremental") => median(runs[mode].map((r) => r.wallS));
  const rssOf = (mode: "full" | "incremental") => median(runs[mode].map((r) => r.peakRssMb));
  return [
    `The 1x chart (${ROWS.toLocaleString("en-US")} rows x ${DAYS} days, ${chartDates[0] ?? "?"} to ${last}) read incrementally from a state near its end, beside a full refresh, ${PAIRS} pairs, alternating order:`,
    "",
    "| read | records | wall s, median (range) | peak RSS MB, median (range) |",
    "|---|---|---|---|",
    row("full refresh", "full"),
    row(
      `incremental, state \`period_start\` ${cursor}, \`lookback_days\` ${lookbackDays} (the default): from ${since} on, ${days} of ${DAYS} days`,
      "incremental",
    ),
    "",
    `- incremental vs full refresh: wall time x${(wallOf("incremental") / wallOf("full")).toFixed(2)}, peak RSS x${(rssOf("incremental") / rssOf("full")).toFixed(2)} (medians; the chart is still downloaded and read whole)`,
  ];
}

/** spec.json's default lookback_days: what a config without it gets. */
function defaultLookbackDays(): number {
  const spec = JSON.parse(readFileSync(join(root, "spec.json"), "utf8")) as {
    connectionSpecification: { properties: { lookback_days: { default: number } } };
  };
  return spec.connectionSpecification.properties.lookback_days.default;
}

/** A date (YYYY-MM-DD) moved by `days`. */
function shiftDays(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

/**
 * A dashboard whose first chart Amplitude computes slowly: the read's wall time against
 * the least it could take, max(longest chart, total compute / concurrency).
 */
async function dashboard(dir: string, baseUrl: string, connector: Connector): Promise<string> {
  const ids = DASHBOARD_MS.map((_, i) => `dash${i}`);
  const files = writeFiles(dir, baseUrl, ids, DASHBOARD_CONCURRENCY);
  const runs: Run[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const run = await measure(
      connector(["read", "--config", files.config, "--catalog", files.catalog]),
    );
    expectLines(run, ids.length * DASHBOARD_ROWS * 30, "connector");
    runs.push(run);
  }
  const total = DASHBOARD_MS.reduce((a, b) => a + b, 0) / 1000;
  const longest = Math.max(...DASHBOARD_MS) / 1000;
  const bound = Math.max(longest, total / DASHBOARD_CONCURRENCY);
  const walls = runs.map((r) => r.wallS);
  const wall = median(walls);
  return (
    `dashboard: ${ids.length} charts of ${DASHBOARD_ROWS} rows x 30 days, Amplitude computing the first in ${longest} s and the others in ` +
    `${(DASHBOARD_MS[1] ?? 0) / 1000} s, max_concurrent_requests ${DASHBOARD_CONCURRENCY}: ${wall.toFixed(2)} s (median of ${walls.map((w) => w.toFixed(2)).join(", ")}); ` +
    `lower bound max(${longest} s, ${total} s / ${DASHBOARD_CONCURRENCY}) = ${bound.toFixed(2)} s: x${(wall / bound).toFixed(2)} (target: at most x1.15)`
  );
}

/**
 * Start-up: `spec` and `discover` (two chart IDs, no network) against a bare `node -e 0`,
 * each run as the image runs the CLI (same node, flags and MALLOC_* settings), the three
 * interleaved so that the machine's load falls on all alike. Wall time of each process,
 * as its parent sees it. Returns a table: the medians and their ratio to the bare start.
 */
async function startup(
  dir: string,
  image: { node: string; nodeFlags: string[]; env: string[] },
): Promise<string[]> {
  const config = join(dir, "startup.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      api_key: API_KEY,
      secret_key: SECRET_KEY,
      chart_ids: ["abc123de", "x9y8z7w6"],
    }),
  );
  // undefined: the bare start (`node -e 0`), else the CLI's arguments.
  const commands: { label: string; args: string[] | undefined; says: string }[] = [
    { label: "bare `node -e 0`", args: undefined, says: "" },
    { label: "`spec`", args: ["spec"], says: '"type":"SPEC"' },
    {
      label: "`discover` (2 charts)",
      args: ["discover", "--config", config],
      says: '"type":"CATALOG"',
    },
  ];
  const prepare = (args: string[] | undefined): Prepared => {
    if (IMAGE) {
      const bare = `exec ${[image.node, ...image.nodeFlags].join(" ")} -e 0`;
      return containerEngine().prepare(IMAGE, {
        mounts: [{ hostDir: dir, containerDir: dir }],
        ...(args ? { args } : { shellScript: bare }),
      });
    }
    const script = args ? [CLI, ...args] : ["-e", "0"];
    return {
      file: "env",
      args: [...image.env, NODE, ...image.nodeFlags, ...script],
      cleanup: () => undefined,
    };
  };
  const times: number[][] = commands.map(() => []);
  for (let i = 0; i < STARTUP_RUNS; i++) {
    commands.forEach((command, c) => {
      const prepared = prepare(command.args);
      const start = process.hrtime.bigint();
      const result = spawnSync(prepared.file, prepared.args, { encoding: "utf8" });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      prepared.cleanup();
      if (result.status !== 0 || !result.stdout.includes(command.says))
        throw new Error(
          `${command.label} failed (${result.status ?? result.signal ?? "?"}): ${result.stderr}`,
        );
      times[c]?.push(ms);
    });
  }
  const bare = median(times[0] ?? []);
  const rows = commands.map((command, c) => {
    const ms = times[c] ?? [];
    return (
      `| ${command.label} | ${median(ms).toFixed(0)} | ${Math.min(...ms).toFixed(0)}-${Math.max(...ms).toFixed(0)} | ` +
      `${(median(ms) / bare).toFixed(2)} |`
    );
  });
  const table = [
    `Start-up, ${STARTUP_RUNS} runs of each, interleaved (target: \`spec\` and \`discover\` within x2 of a bare node start):`,
    "",
    "| command | wall ms, median | range | ratio to bare node |",
    "|---|---|---|---|",
    ...rows,
  ];
  console.log(table.join("\n"));
  return table;
}

/** How the image runs node: the ENTRYPOINT's flags before the script, and MALLOC_* settings. */
function imageRuntime(): { node: string; nodeFlags: string[]; env: string[] } {
  const runtime = runtimeStage(dockerfile(readFileSync(join(root, "Dockerfile"), "utf8")));
  const entrypoint = runtime.entrypoint ?? [];
  if (!/(^|\/)node$/.test(entrypoint[0] ?? ""))
    throw new Error(`unexpected ENTRYPOINT ${JSON.stringify(entrypoint)}`);
  return {
    node: entrypoint[0] ?? "node",
    nodeFlags: entrypoint.slice(1, -1),
    env: Object.entries(runtime.env)
      .filter(([key]) => key.startsWith("MALLOC_"))
      .map(([key, value]) => `${key}=${value}`),
  };
}

function writeFiles(
  dir: string,
  baseUrl: string,
  chartIds: string[],
  concurrency: number,
  syncMode: "full_refresh" | "incremental" = "full_refresh",
): { config: string; catalog: string } {
  const name = `${chartIds.join("-")}.${syncMode}`;
  const config = join(dir, `${name}.config.json`);
  const catalog = join(dir, `${name}.catalog.json`);
  writeFileSync(
    config,
    JSON.stringify({
      api_key: API_KEY,
      secret_key: SECRET_KEY,
      chart_ids: chartIds,
      base_url: baseUrl,
      max_concurrent_requests: concurrency,
    }),
  );
  writeFileSync(
    catalog,
    JSON.stringify({
      streams: chartIds.map((id) => ({
        stream: {
          name: `chart_${id}`,
          json_schema: {},
          supported_sync_modes: ["full_refresh", "incremental"],
          source_defined_cursor: true,
          default_cursor_field: ["period_start"],
        },
        sync_mode: syncMode,
        cursor_field: ["period_start"],
        destination_sync_mode: syncMode === "incremental" ? "append_dedup" : "overwrite",
        primary_key: [["chart_id"], ["dimension_value"], ["segment"]],
      })),
    }),
  );
  return { config, catalog };
}

/**
 * Runs `time -v CMD | wc -l`: the reader is a separate process, as in a real sync. With
 * `count: "records"` the reader is `grep -c` of the RECORD lines instead (as cheap as
 * `wc -l`: 1.2 s against 1.5 s for 969 MB of such lines), for an exact record count.
 */
function measure(prepared: Prepared, count: "lines" | "records" = "lines"): Promise<Run> {
  const timeFile = join(tmpdir(), `bench-time-${process.pid}-${Date.now()}`);
  const command = [prepared.file, ...prepared.args];
  const quoted = command.map((c) => `'${c}'`).join(" ");
  // grep exits 1 when nothing matched: a count of 0, not a failure.
  const reader =
    count === "lines" ? "wc -l" : `{ LC_ALL=C grep -c '^{"type":"RECORD"' || [ $? -eq 1 ]; }`;
  return new Promise((resolve, reject) => {
    const child = spawn(
      "bash",
      ["-c", `set -o pipefail; ${TIME} -v -o '${timeFile}' ${quoted} | ${reader}`],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      prepared.cleanup();
      const report = readFileSync(timeFile, "utf8");
      rmSync(timeFile, { force: true });
      if (code !== 0)
        return reject(new Error(`${command.join(" ")} exited ${code ?? signal ?? "?"}\n${report}`));
      resolve({
        wallS: elapsed(report),
        peakRssMb: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1]) / 1024,
        lines: Number(out.trim()),
      });
    });
  });
}

function elapsed(report: string): number {
  const text = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.+)/.exec(report)?.[1] ?? "0";
  return text.split(":").reduce((total, part) => total * 60 + Number(part), 0);
}

function expectLines(run: Run, records: number, who: string): void {
  // records + STARTED, RUNNING, STATE, COMPLETE (+ the connector's LOG lines)
  if (run.lines < records + 4)
    throw new Error(`${who} printed ${run.lines} lines for ${records} records`);
}

function expectRecords(run: Run, records: number, who: string): void {
  if (run.lines !== records)
    throw new Error(`${who} printed ${run.lines} RECORD lines, expected ${records}`);
}

/** The size of a chart's body in the JSON envelope, as the fake serves it. */
function bodyBytes(csv: Iterable<string>): number {
  let bytes = 9 + 2;
  for (const chunk of csv) bytes += JSON.stringify(chunk).length - 2;
  return bytes;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

/** `median (min-max)`, with `digits` decimals. */
const range = (values: number[], digits: number): string =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;

/** The figures go into docs/performance.md, between its bench markers, formatted as lint wants. */
async function writePerformanceDoc(text: string): Promise<void> {
  const path = join(root, "docs", "performance.md");
  if (!existsSync(path)) return;
  const readme = readFileSync(path, "utf8");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) {
    console.log(`${path} has no bench markers; not updated`);
    return;
  }
  const updated = `${readme.slice(0, a + start.length)}\n${text}\n${readme.slice(b)}`;
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(path)) ?? {};
  writeFileSync(path, await prettier.format(updated, { ...options, filepath: path }));
  console.log(`${path} updated`);
}

await main();
