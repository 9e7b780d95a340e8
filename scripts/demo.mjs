#!/usr/bin/env node
/**
 * npm run demo: the connector end to end, no Amplitude account needed.
 *
 * Installs the dependencies (npm ci) when node_modules lacks them, builds when dist/ is
 * missing or older than the sources, starts the project's fake Amplitude on 127.0.0.1
 * with the sample charts of fake-amplitude/sample-charts.ts, runs spec, check, discover
 * and read through the built CLI (node dist/src/cli.js, as a child process), writes the
 * records to demo-output/<stream>.jsonl and prints a summary. Every step is verified;
 * any failure ends the demo with exit code 1, so CI can run it as a test.
 *
 * Plain JavaScript, so that it runs before anything is installed or built.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { clearTimeout, setTimeout } from "node:timers";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "dist", "src", "cli.js");
const BUILT = {
  cli: CLI,
  server: join(ROOT, "dist", "fake-amplitude", "server.js"),
  samples: join(ROOT, "dist", "fake-amplitude", "sample-charts.js"),
  developerApi: join(ROOT, "dist", "fake-amplitude", "developer-api.js"),
};
const COMMAND_TIMEOUT_MS = 120_000;
const PREVIEW_ROWS = 5;
const DOCS = "docs/amplitude-charts.md";

const USAGE = `usage: npm run demo [-- OPTIONS]
       node scripts/demo.mjs [OPTIONS]

Runs the connector (spec, check, discover, read) against a fake Amplitude on 127.0.0.1
with three sample charts, writes the records to demo-output/<stream>.jsonl, prints a
summary and checks it. Exit code 0 when everything worked, 1 when anything failed.

options:
  --out DIR      write the output to DIR instead of demo-output/
  --check        only verify an earlier demo's output (streams, record counts, JSON)
  --serve        keep the fake Amplitude running afterwards, to try commands by hand
  --developer-api  add the sample Developer API token: charts_metadata gains each
                 chart's type, link, filters and definition (the metadata enrichment)
  --skip-setup   do not run npm ci or npm run build (the caller has built)
  --help         show this text`;

class DemoFailure extends Error {}

/** Stops the demo with a one-line reason (exit code 1). */
function fail(message) {
  throw new DemoFailure(message);
}

function parseOptions(argv) {
  const options = { out: join(ROOT, "demo-output"), check: false, serve: false, setup: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") options.help = true;
    else if (arg === "--check") options.check = true;
    else if (arg === "--serve") options.serve = true;
    else if (arg === "--developer-api") options.developerApi = true;
    else if (arg === "--skip-setup") options.setup = false;
    else if (arg === "--out" && argv[i + 1] !== undefined) options.out = resolve(argv[++i]);
    else if (arg.startsWith("--out=")) options.out = resolve(arg.slice("--out=".length));
    else {
      console.error(`demo: unknown option "${arg}".\n\n${USAGE}`);
      process.exit(2);
    }
  }
  return options;
}

const rel = (path) => relative(process.cwd(), path) || ".";

// ---------------------------------------------------------------- setup: npm ci, build

function npm(args) {
  console.log(`demo: npm ${args.join(" ")}`);
  // Under `npm run`, npm_execpath is npm's own CLI script: run it with this very node.
  const npmCli = process.env.npm_execpath;
  const result =
    npmCli && /npm-cli\.c?js$/.test(npmCli)
      ? spawnSync(process.execPath, [npmCli, ...args], { cwd: ROOT, stdio: "inherit" })
      : spawnSync("npm", args, {
          cwd: ROOT,
          stdio: "inherit",
          shell: process.platform === "win32",
        });
  if (result.status !== 0) {
    fail(
      `npm ${args.join(" ")} failed (${result.error?.message ?? `exit code ${result.status ?? result.signal}`}).`,
    );
  }
}

function ensureInstalled() {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const names = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
  const missing = names.filter(
    (name) => !existsSync(join(ROOT, "node_modules", name, "package.json")),
  );
  if (missing.length === 0) return;
  console.log(
    `demo: node_modules lacks ${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", ..." : ""}; installing from the lockfile.`,
  );
  npm(["ci", "--no-audit", "--no-fund"]);
}

/** The newest modification time of the files under `path` (a file or a folder). */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function ensureBuilt() {
  const outputs = Object.values(BUILT);
  const missing = outputs.filter((file) => !existsSync(file));
  const sources = Math.max(
    ...["src", "fake-amplitude", "tsconfig.json", "package-lock.json"].map((p) =>
      newestMtime(join(ROOT, p)),
    ),
  );
  const built = missing.length > 0 ? 0 : Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  if (missing.length === 0 && built >= sources) return;
  console.log(
    missing.length > 0
      ? `demo: ${rel(missing[0])} is missing; building.`
      : "demo: dist/ is older than the sources; building.",
  );
  npm(["run", "build"]);
}

/** Marks a folder as the demo's own, so that a rerun may empty it. */
const MARKER = ".amplitude-charts-demo";

/**
 * Empties the output folder of an earlier demo, or starts a new one. A folder that holds
 * other things (say `--out .` by mistake) is never touched.
 */
function prepareOutput(out) {
  if (existsSync(out)) {
    const entries = readdirSync(out);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      fail(`${rel(out)} holds files the demo did not write; give --out a new or empty folder.`);
    }
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(join(out, "messages"), { recursive: true });
  writeFileSync(
    join(out, MARKER),
    "Written by npm run demo (scripts/demo.mjs); rerunning it empties this folder.\n",
  );
}

// ---------------------------------------------------------------- running the CLI

/** Runs `node dist/src/cli.js ARGS` from the repository root and collects its output. */
function runCli(args) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new DemoFailure(`"${args[0]}" did not finish within ${COMMAND_TIMEOUT_MS / 1000} s.`));
    }, COMMAND_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      try {
        const messages = parseMessages(args[0], stdout);
        const seconds = (performance.now() - started) / 1000;
        resolvePromise({ code, signal, stdout, stderr, messages, seconds });
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** stdout carries only Airbyte messages: one JSON object with a `type` per line. */
function parseMessages(command, stdout) {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line, index) => {
      let message;
      try {
        message = JSON.parse(line);
      } catch {
        fail(
          `"${command}" printed a stdout line that is not JSON (line ${index + 1}): ${line.slice(0, 200)}`,
        );
      }
      if (typeof message?.type !== "string") {
        fail(
          `"${command}" printed a stdout line that is not an Airbyte message (line ${index + 1}): ${line.slice(0, 200)}`,
        );
      }
      return message;
    });
}

const ofType = (messages, type) => messages.filter((m) => m.type === type);
const errorTraces = (messages) =>
  ofType(messages, "TRACE")
    .filter((m) => m.trace?.type === "ERROR")
    .map((m) => m.trace.error);

/** A command must exit 0 and print no ERROR trace; its output is saved for reading. */
function expectSuccess(name, result, out) {
  writeFileSync(join(out, "messages", `${name}.jsonl`), result.stdout);
  if (result.stderr.trim() !== "")
    writeFileSync(join(out, "messages", `${name}.stderr.txt`), result.stderr);
  const errors = errorTraces(result.messages);
  if (errors.length > 0) {
    fail(`"${name}" reported: ${errors.map((e) => e.message).join(" | ")}`);
  }
  if (result.code !== 0) {
    const why = result.stderr.trim().split("\n")[0] || `signal ${result.signal}`;
    fail(`"${name}" exited with code ${result.code}: ${why}`);
  }
}

// ---------------------------------------------------------------- the demo

async function runDemo(options) {
  const out = options.out;
  if (options.setup) {
    ensureInstalled();
    ensureBuilt();
  } else {
    const missing = Object.values(BUILT).filter((file) => !existsSync(file));
    if (missing.length > 0) fail(`${rel(missing[0])} is missing: run npm run build first.`);
  }
  const { FakeAmplitude } = await import(pathToFileURL(BUILT.server).href);
  const samples = await import(pathToFileURL(BUILT.samples).href);
  const developerSamples = await import(pathToFileURL(BUILT.developerApi).href);
  const { Ajv } = await import("ajv");
  const expected = samples.sampleExpectations();

  prepareOutput(out);

  const fake = new FakeAmplitude(samples.sampleProject());
  const baseUrl = await fake.start(0);
  const say = (line) => console.log(line);
  try {
    console.log(
      `demo: a fake Amplitude is serving ${samples.SAMPLE_CHARTS.length} sample charts at ${baseUrl}`,
    );

    const config = {
      api_key: samples.SAMPLE_API_KEY,
      secret_key: samples.SAMPLE_SECRET_KEY,
      chart_ids: samples.sampleChartEntries(),
      data_region: "Standard Server",
      base_url: baseUrl,
      max_concurrent_requests: 2,
      request_timeout_seconds: 60,
      // The fake serves the Developer API on the same port; the token sees one project.
      ...(options.developerApi && {
        developer_api_token: developerSamples.SAMPLE_DEVELOPER_API_TOKEN,
        developer_api_base_url: baseUrl,
      }),
    };
    const configPath = join(out, "config.json");
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);

    say("");
    say("Commands (node dist/src/cli.js ...):");

    // spec
    const spec = await runCli(["spec"]);
    expectSuccess("spec", spec, out);
    const specMessage = ofType(spec.messages, "SPEC")[0];
    const properties = Object.keys(specMessage?.spec?.connectionSpecification?.properties ?? {});
    if (!specMessage || properties.length === 0)
      fail('"spec" printed no SPEC message with a connectionSpecification.');
    say(`  spec      ok  ${properties.length} config options: ${properties.join(", ")}`);

    // check
    const check = await runCli(["check", "--config", configPath]);
    expectSuccess("check", check, out);
    const status = ofType(check.messages, "CONNECTION_STATUS")[0]?.connectionStatus;
    if (status?.status !== "SUCCEEDED") {
      fail(
        `"check" did not succeed: ${status ? `${status.status}: ${status.message}` : "no CONNECTION_STATUS message"}`,
      );
    }
    say(`  check     ok  ${status.status}: ${status.message}`);

    // discover, and a configured catalog with every stream (full refresh, overwrite)
    const discover = await runCli(["discover", "--config", configPath]);
    expectSuccess("discover", discover, out);
    const streams = ofType(discover.messages, "CATALOG")[0]?.catalog?.streams ?? [];
    const names = streams.map((s) => s.name);
    const expectedNames = Object.keys(expected.recordCounts);
    if (names.join() !== expectedNames.join()) {
      fail(`"discover" listed [${names.join(", ")}], expected [${expectedNames.join(", ")}].`);
    }
    say(`  discover  ok  ${names.length} streams: ${names.join(", ")}`);
    const catalogPath = join(out, "catalog.json");
    const catalog = {
      streams: streams.map((stream) => ({
        stream,
        sync_mode: "full_refresh",
        destination_sync_mode: "overwrite",
      })),
    };
    writeFileSync(catalogPath, `${JSON.stringify(catalog, null, 2)}\n`);

    // read
    const requestsBefore = fake.requests.length;
    const read = await runCli(["read", "--config", configPath, "--catalog", catalogPath]);
    expectSuccess("read", read, out);
    const readRequests = fake.requests.slice(requestsBefore);
    if (!readRequests.every((r) => r.authorized))
      fail("the read sent a request without the demo keys.");
    const perChart = new Set(readRequests.map((r) => r.chartId));
    if (perChart.size !== readRequests.length || perChart.size !== samples.SAMPLE_CHARTS.length) {
      fail(
        `the read should request each of the ${samples.SAMPLE_CHARTS.length} charts once; it made ${readRequests.length} requests.`,
      );
    }

    const ajv = new Ajv({ strict: false, allErrors: true });
    // period_start is a local timestamp (airbyte_type timestamp_without_timezone).
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    const records = new Map(names.map((name) => [name, []]));
    for (const message of ofType(read.messages, "RECORD")) {
      const list = records.get(message.record?.stream);
      if (!list) fail(`"read" emitted a record for an unknown stream: ${message.record?.stream}`);
      list.push(message.record.data);
    }
    let total = 0;
    for (const stream of streams) {
      const data = records.get(stream.name);
      const validate = ajv.compile(stream.json_schema);
      data.forEach((record, i) => {
        if (!validate(record)) {
          fail(
            `${stream.name} record ${i + 1} does not match its schema: ${ajv.errorsText(validate.errors)}`,
          );
        }
      });
      const statuses = ofType(read.messages, "TRACE")
        .filter((m) => m.trace?.type === "STREAM_STATUS")
        .map((m) => m.trace.stream_status)
        .filter((s) => s.stream_descriptor?.name === stream.name)
        .map((s) => s.status);
      if (statuses.join() !== "STARTED,RUNNING,COMPLETE") {
        fail(
          `${stream.name} went through [${statuses.join(", ")}], expected STARTED, RUNNING, COMPLETE.`,
        );
      }
      const stated = ofType(read.messages, "STATE")
        .map((m) => m.state)
        .filter((s) => s?.stream?.stream_descriptor?.name === stream.name)
        .map((s) => s.sourceStats?.recordCount);
      if (stated.length !== 1 || stated[0] !== data.length) {
        fail(
          `${stream.name}: ${data.length} records, but its STATE says ${stated.join(", ") || "nothing"}.`,
        );
      }
      if (data.length !== expected.recordCounts[stream.name]) {
        fail(
          `${stream.name}: ${data.length} records, expected ${expected.recordCounts[stream.name]}.`,
        );
      }
      writeFileSync(
        join(out, `${stream.name}.jsonl`),
        data.map((record) => `${JSON.stringify(record)}\n`).join(""),
      );
      total += data.length;
    }
    say(
      `  read      ok  ${total} records in ${names.length} streams, each COMPLETE (${read.seconds.toFixed(1)} s)`,
    );

    verifyOutput(out);
    const history = await showHistory(fake, samples, config, out);

    // Then each stream: its record count and first rows (charts_metadata last, as read emits it).
    const metadata = records.get("charts_metadata") ?? [];
    const titleOf = (id) => metadata.find((m) => m.chart_id === id)?.title ?? expected.titles[id];
    const ordered = [...names.filter((n) => n !== "charts_metadata"), "charts_metadata"];
    for (const name of ordered) {
      const data = records.get(name);
      const id = name.startsWith("chart_") ? name.slice("chart_".length) : undefined;
      const label = id ? ` (${titleOf(id)})` : " (emitted last: one record per chart read)";
      console.log("");
      console.log(`${name}${label}: ${data.length} records -> ${rel(join(out, `${name}.jsonl`))}`);
      const columns = id
        ? ["dimension_value", "segment", "value"]
        : ["chart_id", "title", "metric", "event", "dimension"];
      console.log(table(data.slice(0, PREVIEW_ROWS), columns));
      if (data.length > PREVIEW_ROWS) console.log(`  ... ${data.length - PREVIEW_ROWS} more`);
    }
    if (options.developerApi) showEnrichedRecord(metadata[1] ?? metadata[0], out);
    console.log("");
    console.log(history);
    console.log("");
    console.log(`demo: OK. Output in ${rel(out)}/: one .jsonl file per stream, plus config.json,`);
    console.log("      catalog.json and messages/ (the Airbyte messages each command printed).");
    console.log(`demo: with your own Amplitude keys, follow ${DOCS} (Quick start):`);
    console.log("      node dist/src/cli.js check --config secrets/config.json");

    if (options.serve) await serveUntilInterrupted(baseUrl, configPath, catalogPath);
  } finally {
    await fake.stop();
  }
}

/**
 * History: the daily chart on three sync days, 3 days apart (its "last 14 days" window moves,
 * and Amplitude restates the previous sync's last day), read incrementally, each sync from
 * the previous one's state, and kept the way an Append + Deduped destination keeps them: the
 * latest record of each primary key. Writes each sync's records and the deduplicated table
 * to `out`/history; returns the summary to print. The table ends with more days than the chart shows.
 */
async function showHistory(fake, samples, config, out) {
  const dir = join(out, "history");
  mkdirSync(dir, { recursive: true });
  const chart = samples.SAMPLE_CHARTS[0];
  const stream = `chart_${chart.id}`;
  const configPath = join(dir, "config.json");
  // The product's default lookback: a sync sends again the 7 days before the last one it saw.
  writeFileSync(configPath, `${JSON.stringify({ ...config, chart_ids: [chart.id] }, null, 2)}\n`);
  const catalogPath = join(dir, "catalog.json");
  const catalog = (await runCli(["discover", "--config", configPath])).messages
    .filter((m) => m.type === "CATALOG")[0]
    ?.catalog?.streams.filter((s) => s.name === stream)
    .map((s) => ({
      stream: s,
      sync_mode: "incremental",
      cursor_field: ["period_start"],
      destination_sync_mode: "append_dedup",
      primary_key: s.source_defined_primary_key,
    }));
  writeFileSync(catalogPath, `${JSON.stringify({ streams: catalog }, null, 2)}\n`);
  const byKey = new Map();
  const rows = [];
  let state;
  for (const [i, sync] of samples.sampleHistory().entries()) {
    fake.setChart(chart.id, { csv: sync.csv });
    const args = ["read", "--config", configPath, "--catalog", catalogPath];
    if (state !== undefined) {
      const statePath = join(dir, `state-${i}.json`);
      writeFileSync(statePath, `${JSON.stringify(state, null, 2)}\n`);
      args.push("--state", statePath);
    }
    const read = await runCli(args);
    expectSuccess(`read-history-${i + 1}`, read, out);
    const records = ofType(read.messages, "RECORD").map((m) => m.record.data);
    state = ofType(read.messages, "STATE").map((m) => m.state);
    const cursor = state[0]?.stream?.stream_state?.period_start;
    if (cursor !== `${sync.window[1]}T00:00:00`) {
      fail(
        `history sync ${i + 1}: its state says ${cursor}, expected the window's last day ${sync.window[1]}.`,
      );
    }
    writeFileSync(
      join(dir, `sync-${i + 1}.jsonl`),
      records.map((r) => `${JSON.stringify(r)}\n`).join(""),
    );
    for (const r of records) byKey.set(`${r.dimension_value}\u0000${r.segment}`, r);
    rows.push({
      sync: String(i + 1),
      window: `${sync.window[0]} .. ${sync.window[1]}`,
      records: String(records.length),
      state: cursor,
    });
  }
  const kept = [...byKey.values()].sort((a, b) =>
    a.dimension_value === b.dimension_value
      ? a.period_start.localeCompare(b.period_start)
      : a.dimension_value.localeCompare(b.dimension_value),
  );
  writeFileSync(join(dir, `${stream}.jsonl`), kept.map((r) => `${JSON.stringify(r)}\n`).join(""));
  const days = [...new Set(kept.map((r) => r.segment))].sort();
  const shown = chart.chart.header.length - 1;
  if (days.length <= shown)
    fail(`history: ${days.length} days kept, no more than the chart shows.`);
  return [
    `History: ${stream} (${chart.chart.title}, last ${shown} days) on three sync days, 3 days apart,`,
    "incremental from each sync's state (lookback_days 7: Amplitude restates recent days):",
    table(rows, ["sync", "window", "records", "state"]),
    `  deduplicated on the primary key: ${kept.length} records, ${days.length} days (${days[0]} .. ${days.at(-1)}); ` +
      `the chart shows ${shown} -> ${rel(join(dir, `${stream}.jsonl`))}`,
  ].join("\n");
}

/** One charts_metadata record with the Developer API's details (its definition abridged). */
function showEnrichedRecord(record, out) {
  for (const field of ["chart_type", "url", "filters"]) {
    if (record?.[field] === undefined || record[field] === null)
      fail(
        `with --developer-api, charts_metadata's ${field} should be set: ${JSON.stringify(record)}`,
      );
  }
  const keys = Object.keys(record.definition ?? {}).length;
  const shown = {
    ...record,
    definition: `{...} (${keys} keys; whole in ${rel(join(out, "charts_metadata.jsonl"))})`,
  };
  console.log("");
  console.log("charts_metadata with the Developer API's details (developer_api_token is set):");
  console.log(
    JSON.stringify(shown, null, 2)
      .split("\n")
      .map((line) => `  ${line}`)
      .join("\n"),
  );
}

/** metadata.yaml's dockerRepository:dockerImageTag, the name scripts/build-image.sh tags. */
function imageName() {
  const metadata = readFileSync(join(ROOT, "metadata.yaml"), "utf8");
  const field = (name) =>
    new RegExp(`^  ${name}: *"?([^"\\s]+)"?\\s*$`, "m").exec(metadata)?.[1] ?? "";
  return `${field("dockerRepository")}:${field("dockerImageTag")}`;
}

/**
 * The commands to try while the fake serves, the CLI's and the image's. The fake listens on
 * the host's 127.0.0.1, which a container reaches only on the host's network
 * (`--network host`); on Docker's default network 127.0.0.1 is the container's own.
 */
function serveCommands(configPath, catalogPath) {
  const dir = dirname(resolve(configPath));
  const mount = `-v "${dir}:/demo:ro"`;
  const docker = `docker run --rm --network host ${mount} ${imageName()}`;
  return [
    `node dist/src/cli.js check --config ${rel(configPath)}`,
    `node dist/src/cli.js read --config ${rel(configPath)} --catalog ${rel(catalogPath)}`,
    `${docker} check --config /demo/${basename(configPath)}`,
    `${docker} read --config /demo/${basename(configPath)} --catalog /demo/${basename(catalogPath)}`,
  ];
}

async function serveUntilInterrupted(baseUrl, configPath, catalogPath) {
  const [check, read, dockerCheck, dockerRead] = serveCommands(configPath, catalogPath);
  // Listening before the lines are printed: whoever reads them may stop the demo at once.
  const interrupted = new Promise((resolvePromise) => {
    process.once("SIGINT", resolvePromise);
    process.once("SIGTERM", resolvePromise);
  });
  console.log("");
  console.log(`demo: the fake Amplitude keeps serving at ${baseUrl}. Try, in another terminal:`);
  console.log(`      ${check}`);
  console.log(`      ${read}`);
  console.log(
    "      or the image (bash scripts/build-image.sh first; --network host reaches the fake on 127.0.0.1):",
  );
  console.log(`      ${dockerCheck}`);
  console.log(`      ${dockerRead}`);
  console.log("      Press Ctrl-C to stop.");
  await interrupted;
  console.log("demo: stopping the fake Amplitude.");
}

/** An aligned text table; numbers to the right, long cells shortened. */
function table(rows, columns) {
  const show = (value) => {
    const text = value === null || value === undefined ? "null" : String(value);
    const flat = text.replace(/\s+/g, " ");
    return flat.length > 44 ? `${flat.slice(0, 41)}...` : flat;
  };
  const cells = rows.map((row) => columns.map((c) => show(row[c])));
  const numeric = columns.map(
    (c) => rows.length > 0 && rows.every((r) => r[c] === null || typeof r[c] === "number"),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values) =>
    "  " +
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}

// ---------------------------------------------------------------- verifying the output

/**
 * The output folder holds one JSON-lines file per stream of catalog.json, each with at
 * least one record, every line a JSON object (chart records carrying their chart's ID).
 */
function verifyOutput(out) {
  const catalogPath = join(out, "catalog.json");
  if (!existsSync(catalogPath)) fail(`${rel(catalogPath)} is missing: run npm run demo first.`);
  const catalog = JSON.parse(readFileSync(catalogPath, "utf8"));
  const names = (catalog.streams ?? []).map((s) => s.stream?.name);
  if (names.length === 0) fail(`${rel(catalogPath)} lists no streams.`);
  const counts = {};
  for (const name of names) {
    const file = join(out, `${name}.jsonl`);
    if (!existsSync(file)) fail(`${rel(file)} is missing.`);
    const lines = readFileSync(file, "utf8").split("\n");
    if (lines.pop() !== "") fail(`${rel(file)} does not end with a newline.`);
    if (lines.length === 0) fail(`${rel(file)} holds no records.`);
    lines.forEach((line, i) => {
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        fail(`${rel(file)} line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
      }
      if (typeof record !== "object" || record === null || Array.isArray(record)) {
        fail(`${rel(file)} line ${i + 1} is not a JSON object.`);
      }
      if (name.startsWith("chart_") && record.chart_id !== name.slice("chart_".length)) {
        fail(`${rel(file)} line ${i + 1} has chart_id ${JSON.stringify(record.chart_id)}.`);
      }
    });
    counts[name] = lines.length;
  }
  const strays = readdirSync(out).filter(
    (f) => f.endsWith(".jsonl") && !names.includes(f.slice(0, -6)),
  );
  if (strays.length > 0) fail(`${rel(out)} holds files of no stream: ${strays.join(", ")}`);
  return counts;
}

// ---------------------------------------------------------------- main

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (options.check) {
      const counts = verifyOutput(options.out);
      const list = Object.entries(counts).map(([name, n]) => `${name} ${n}`);
      console.log(`demo: ${rel(options.out)} is complete: ${list.join(", ")} records.`);
    } else {
      await runDemo(options);
    }
    return 0;
  } catch (error) {
    if (!(error instanceof DemoFailure)) throw error;
    console.error(`\ndemo FAILED: ${error.message}`);
    const messages = join(options.out, "messages");
    if (!options.check && existsSync(join(messages, "spec.jsonl"))) {
      console.error(`(what each command printed is in ${rel(messages)}/)`);
    }
    return 1;
  }
}

process.exitCode = await main();
