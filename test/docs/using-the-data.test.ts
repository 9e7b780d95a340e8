import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DuckDBInstance,
  type DuckDBConnection,
  type DuckDBValue,
  type Json,
} from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeAmplitude } from "../../fake-amplitude/server.js";
import { sampleHistory, sampleProject } from "../../fake-amplitude/sample-charts.js";
import { runInProcess } from "../helpers/connector.js";
import { configuredCatalog, jsonFiles } from "../helpers/run-cli.js";

/**
 * docs/using-the-data.md, run: every ```sql block of the page, in page order, against what
 * `npm run demo` reads (the connector's discover and read, in process, against the fake's sample charts),
 * landed in DuckDB the way an Airbyte destination lands it: one table per stream, one column
 * per field typed from discover's schema (`dimensions` as JSON), Airbyte's columns in front.
 * The history section's blocks run on the demo's history instead: three incremental reads of
 * the daily chart, landed once as Append (a copy per sync) and once as Append + Deduped.
 * The blocks are read from the page itself, so the page and this test cannot drift apart.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PAGE = readFileSync(join(ROOT, "docs", "using-the-data.md"), "utf8");

interface ChartRecord {
  chart_id: string;
  dimension_name: string;
  dimension_value: string;
  segment: string;
  value: number | null;
  dimensions: Record<string, string>;
}

interface MetadataRecord {
  chart_id: string;
  title: string | null;
  metric: string | null;
}

interface Stream {
  name: string;
  json_schema: { properties: Record<string, { type: string | string[] }> };
}

type Row = Record<string, Json>;
type Message = {
  type: string;
  catalog?: { streams: Stream[] };
  record?: { stream: string; data: Record<string, Json> };
  state?: unknown;
};
type LandedRecord = { stream: string; data: Record<string, Json> };

/** The connector's messages for one command, run as the demo runs it. */
async function connector(command: string, files: Record<string, unknown>): Promise<Message[]> {
  const paths = jsonFiles(files);
  const args = Object.entries(paths).flatMap(([name, path]) => [`--${name}`, path]);
  const result = await runInProcess([command, ...args]);
  if (result.code !== 0) throw new Error(`${command} failed: ${result.stderr}${result.stdout}`);
  return result.stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Message);
}

let streams: Stream[] = [];
let records: LandedRecord[] = [];
let chartRecords: ChartRecord[] = [];
let metadata: MetadataRecord[] = [];

// The group-by chart with a period comparison: the one the page's examples use.
const SIGNUPS = "m7x3q9wz";
let signups: ChartRecord[] = [];
let current: ChartRecord[] = [];
const isComparison = (r: ChartRecord): boolean =>
  r.dimensions.Segment?.startsWith("[Previous] ") ?? false;
const byLabel = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const sumOf = (values: (number | null)[]): number | null =>
  values.some((v) => v !== null) ? values.reduce<number>((s, v) => s + (v ?? 0), 0) : null;

/** The demo's read: the sample config against the fake, every stream discover lists. */
async function readTheDemo(): Promise<void> {
  const fake = new FakeAmplitude(sampleProject());
  try {
    const config = {
      ...(JSON.parse(
        readFileSync(join(ROOT, "integration_tests", "sample_config.json"), "utf8"),
      ) as Record<string, unknown>),
      base_url: await fake.start(),
    };
    const catalog = (await connector("discover", { config })).find((m) => m.type === "CATALOG");
    streams = catalog?.catalog?.streams ?? [];
    const read = await connector("read", {
      config,
      catalog: configuredCatalog(streams.map((s) => s.name)),
    });
    records = read.flatMap((m) => (m.type === "RECORD" && m.record ? [m.record] : []));
  } finally {
    await fake.stop();
  }
  chartRecords = records
    .filter((r) => r.stream.startsWith("chart_"))
    .map((r) => r.data as unknown as ChartRecord);
  metadata = records
    .filter((r) => r.stream === "charts_metadata")
    .map((r) => r.data as unknown as MetadataRecord);
  signups = chartRecords.filter((r) => r.chart_id === SIGNUPS);
  current = signups.filter((r) => !isComparison(r));
}

// The history: the daily chart's three syncs (records and their sync time), as the demo makes them.
const DAILY = "k2d8s0a1";
let historyStream: Stream | undefined;
const syncs: { extractedAt: string; records: LandedRecord[] }[] = [];
const keyOf = (r: Record<string, Json>): string =>
  `${String(r.chart_id)}\u0000${String(r.dimension_value)}\u0000${String(r.segment)}`;

/** The demo's history: each sync incremental from the previous one's state, the default lookback. */
async function readTheHistory(): Promise<void> {
  const fake = new FakeAmplitude(sampleProject());
  try {
    const config = JSON.parse(
      readFileSync(join(ROOT, "integration_tests", "sample_config.json"), "utf8"),
    ) as Record<string, unknown>;
    delete config.lookback_days;
    Object.assign(config, { chart_ids: [DAILY], base_url: await fake.start() });
    const catalog = (await connector("discover", { config })).find((m) => m.type === "CATALOG");
    historyStream = catalog?.catalog?.streams.find((s) => s.name === `chart_${DAILY}`);
    const configured = {
      streams: [
        {
          stream: historyStream,
          sync_mode: "incremental",
          cursor_field: ["period_start"],
          destination_sync_mode: "append_dedup",
        },
      ],
    };
    let state: unknown[] | undefined;
    for (const [i, sync] of sampleHistory().entries()) {
      fake.setChart(DAILY, { csv: sync.csv });
      const read = await connector("read", {
        config,
        catalog: configured,
        ...(state !== undefined && { state }),
      });
      state = read.flatMap((m) => (m.type === "STATE" ? [m.state] : []));
      syncs.push({
        extractedAt: `2026-11-${String(23 + 3 * i)}T06:00:00Z`,
        records: read.flatMap((m) => (m.type === "RECORD" && m.record ? [m.record] : [])),
      });
    }
  } finally {
    await fake.stop();
  }
}

/** The page's queries: each ```sql block, named by the `<!-- query: name -->` line above it. */
function pageQueries(markdown: string): { name: string | undefined; sql: string }[] {
  return [...markdown.matchAll(/(?:<!-- query: ([\w-]+) -->\n\n)?```sql\n([\s\S]*?)```/g)].map(
    (m) => ({ name: m[1], sql: m[2] ?? "" }),
  );
}

// A destination's column types for the JSON schema types discover declares.
const SQL_TYPES: Record<string, string> = {
  string: "VARCHAR",
  number: "DOUBLE",
  integer: "BIGINT",
  boolean: "BOOLEAN",
  object: "JSON",
  array: "JSON",
};

function columnsOf(schema: Stream["json_schema"]): { name: string; type: string }[] {
  return Object.entries(schema.properties).map(([name, p]) => {
    const types = (Array.isArray(p.type) ? p.type : [p.type]).filter((t) => t !== "null");
    // A field that is always null (filters) has no other type: text, as destinations do.
    return { name, type: SQL_TYPES[types[0] ?? "string"] ?? "VARCHAR" };
  });
}

/** One table per stream, in the current database, filled with each sync's records of it. */
async function land(
  db: DuckDBConnection,
  tables: Stream[],
  landed: { extractedAt: string; records: LandedRecord[] }[],
): Promise<void> {
  for (const stream of tables) {
    const columns = columnsOf(stream.json_schema);
    await db.run(
      `CREATE TABLE ${stream.name} (_airbyte_raw_id VARCHAR, _airbyte_extracted_at TIMESTAMPTZ,
        _airbyte_meta JSON, _airbyte_generation_id BIGINT,
        ${columns.map((c) => `${c.name} ${c.type}`).join(", ")})`,
    );
    const placeholders = columns.map((c) => (c.type === "JSON" ? "?::JSON" : "?")).join(", ");
    const insert = `INSERT INTO ${stream.name} VALUES (?, ?::TIMESTAMPTZ, ?::JSON, ?, ${placeholders})`;
    for (const [sync, { extractedAt, records: synced }] of landed.entries()) {
      for (const record of synced.filter((r) => r.stream === stream.name)) {
        const values: DuckDBValue[] = columns.map((c) => {
          const value = record.data[c.name] ?? null;
          return c.type === "JSON" ? JSON.stringify(value) : (value as DuckDBValue);
        });
        const meta = `{"sync_id":${String(sync + 1)},"changes":[]}`;
        await db.run(insert, [randomUUID(), extractedAt, meta, 0, ...values]);
      }
    }
  }
}

/** What Append + Deduped keeps of the syncs: the latest copy of each primary key. */
function deduplicated(): { extractedAt: string; records: LandedRecord[] }[] {
  const latest = new Map<string, { extractedAt: string; record: LandedRecord }>();
  for (const { extractedAt, records: synced } of syncs) {
    for (const record of synced) latest.set(keyOf(record.data), { extractedAt, record });
  }
  return [...latest.values()].map(({ extractedAt, record }) => ({
    extractedAt,
    records: [record],
  }));
}

// The database each block runs in: the demo's, or its history landed in one of two modes.
const DATABASE_OF: Record<string, string> = {
  "load-json-lines": "loaded",
  "whole-history": "deduped",
  "latest-copy": "appended",
  restatements: "appended",
};
let jsonLinesDir = "";

// Undefined until beforeAll has made them, and after it if it failed first.
let instance: DuckDBInstance | undefined;
let db: DuckDBConnection | undefined;
const queries = pageQueries(PAGE);
const results = new Map<string, Row[] | Error>();

const query = async (sql: string): Promise<Row[]> => {
  if (db === undefined) throw new Error("no database: beforeAll did not make it");
  return (await db.runAndReadAll(sql)).getRowObjectsJson();
};

/** A block's result; its SQL error, if any, fails the test that reads it. */
function result(name: string): Row[] {
  const rows = results.get(name);
  if (rows === undefined) throw new Error(`the page has no sql block named "${name}"`);
  if (rows instanceof Error) throw rows;
  return rows;
}

// Generous: two CLI runs and a fake server, on however loaded a machine.
beforeAll(async () => {
  await readTheDemo();
  await readTheHistory();
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
  await land(db, streams, [{ extractedAt: "2026-11-23T06:00:00Z", records }]);
  const daily = historyStream ? [historyStream] : [];
  await db.run("ATTACH ':memory:' AS appended; USE appended");
  await land(db, daily, syncs);
  await db.run("ATTACH ':memory:' AS deduped; USE deduped");
  await land(db, daily, deduplicated());
  // The demo's output as npm run demo writes it: one JSON line per record of the chart.
  jsonLinesDir = mkdtempSync(join(tmpdir(), "using-the-data-"));
  writeFileSync(
    join(jsonLinesDir, `chart_${SIGNUPS}.jsonl`),
    signups.map((r) => `${JSON.stringify(r)}\n`).join(""),
  );
  await db.run("ATTACH ':memory:' AS loaded");
  // In page order: later blocks use the view an earlier one creates, as a reader would.
  for (const { name, sql } of queries) {
    if (name === undefined) continue;
    try {
      await db.run(`USE ${DATABASE_OF[name] ?? "memory"}`);
      results.set(name, await query(sql.replaceAll("'demo-output/", `'${jsonLinesDir}/`)));
    } catch (error) {
      results.set(name, error instanceof Error ? error : new Error(String(error)));
    }
  }
  await db.run("USE memory");
}, 60_000);

afterAll(() => {
  if (jsonLinesDir !== "") rmSync(jsonLinesDir, { recursive: true, force: true });
  db?.closeSync();
  instance?.closeSync();
});

/** Every cell of a pivot is the record of its row and date (null where the chart's cell is empty). */
function expectCells(rows: Row[], dateOf: (column: string) => string): void {
  const labels = [...new Set(signups.map((r) => r.dimension_value))].sort(byLabel);
  expect(rows.map((r) => r.dimension_value)).toEqual(labels);
  const dateColumns = Object.keys(rows[0] ?? {}).filter((c) => c !== "dimension_value");
  expect(dateColumns.map(dateOf)).toEqual([...new Set(signups.map((r) => r.segment))].sort());
  for (const row of rows) {
    for (const column of dateColumns) {
      const record = signups.find(
        (r) => r.dimension_value === row.dimension_value && r.segment === dateOf(column),
      );
      expect(row[column], `${String(row.dimension_value)} ${column}`).toBe(record?.value);
    }
  }
}

describe("docs/using-the-data.md", () => {
  it("names every sql block, and each name is checked below (in page order)", () => {
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.map((q) => q.name)).toEqual([
      "load-json-lines",
      "latest-values",
      "all-charts-view",
      "exclude-comparison",
      "compare-periods",
      "segment-and-group-by",
      "pivot-portable",
      "pivot-duckdb",
      "join-metadata",
      "whole-history",
      "latest-copy",
      "restatements",
    ]);
  });

  it("load-json-lines: a chart's JSON lines become its table, each field a column", async () => {
    expect(result("load-json-lines")).toBeDefined();
    const rows = await query(
      `SELECT chart_id, dimension_name, dimension_value, segment, value,
         CAST(dimensions AS VARCHAR) AS dimensions, strftime(period_start, '%Y-%m-%dT%H:%M:%S') AS period_start
       FROM loaded.chart_${SIGNUPS}`,
    );
    expect(rows).toHaveLength(signups.length);
    expect(
      rows.map((r) => ({ ...r, dimensions: JSON.parse(String(r.dimensions)) as Json })),
    ).toEqual(signups);
  });

  it("latest-values: each row's last date and its value, without [Previous] rows", () => {
    const labels = [...new Set(current.map((r) => r.dimension_value))].sort(byLabel);
    const expected = labels.map((label) => {
      const rows = current.filter((r) => r.dimension_value === label);
      const last = rows.reduce((a, b) => (b.segment > a.segment ? b : a));
      return { dimension_value: label, latest_date: last.segment, value: last.value };
    });
    expect(result("latest-values")).toEqual(expected);
    // The sample's facts, as a reader checks them: 5 countries, the week of 2026-11-16.
    expect(result("latest-values")).toHaveLength(5);
    expect(result("latest-values").every((r) => r.latest_date === "2026-11-16")).toBe(true);
  });

  it("all-charts-view: a view holding every chart's records, told apart by chart_id", async () => {
    expect(result("all-charts-view")).toBeDefined();
    const rows = await query(
      `SELECT chart_id, dimension_name, dimension_value, segment, value,
         CAST(dimensions AS VARCHAR) AS dimensions, CAST(period_start AS VARCHAR) AS period_start
       FROM amplitude_charts ORDER BY chart_id, dimension_value, segment`,
    );
    expect(rows).toHaveLength(77);
    const key = (r: ChartRecord): string =>
      `${r.chart_id}\u0000${r.dimension_value}\u0000${r.segment}`;
    const expected = [...chartRecords].sort((a, b) => byLabel(key(a), key(b)));
    expect(
      rows.map((r) => ({ ...r, dimensions: JSON.parse(String(r.dimensions)) as Json })),
    ).toEqual(expected);
    const chartTables = streams.filter((s) => s.name.startsWith("chart_")).map((s) => s.name);
    expect([...new Set(rows.map((r) => `chart_${String(r.chart_id)}`))]).toEqual(
      chartTables.sort(),
    );
  });

  it("exclude-comparison: weekly totals count each week once", () => {
    const weeks = [...new Set(current.map((r) => r.segment))].sort();
    const expected = weeks.map((week) => ({
      week,
      signups: sumOf(current.filter((r) => r.segment === week).map((r) => r.value)),
    }));
    expect(result("exclude-comparison")).toEqual(expected);
    // What summing over all rows would give instead: the sample does have comparison rows.
    const all = sumOf(signups.filter((r) => r.segment === weeks[0]).map((r) => r.value));
    expect(result("exclude-comparison")[0]?.signups).not.toBe(all);
  });

  it("compare-periods: each current row next to its [Previous] row of the same date", () => {
    const expected = [...current]
      .sort(
        (a, b) => byLabel(a.dimension_value, b.dimension_value) || byLabel(a.segment, b.segment),
      )
      .map((r) => ({
        dimension_value: r.dimension_value,
        week: r.segment,
        current_value: r.value,
        previous_value:
          signups.find(
            (p) =>
              p.dimension_value === `[Previous] ${r.dimension_value}` && p.segment === r.segment,
          )?.value ?? null,
      }));
    expect(result("compare-periods")).toHaveLength(20);
    expect(result("compare-periods")).toEqual(expected);
  });

  it("segment-and-group-by: Amplitude's segment and the group-by, read from dimensions", () => {
    const allUsers = current.filter((r) => r.dimensions.Segment === "All Users");
    const countries = [...new Set(allUsers.map((r) => r.dimensions.Country ?? ""))];
    const expected = countries
      .map((country) => ({
        amplitude_segment: "All Users",
        country,
        signups: sumOf(
          allUsers.filter((r) => r.dimensions.Country === country).map((r) => r.value),
        ),
      }))
      .sort((a, b) => (b.signups ?? 0) - (a.signups ?? 0));
    expect(result("segment-and-group-by")).toEqual(expected);
    expect(result("segment-and-group-by")).toHaveLength(5);
  });

  it("the segment column holds dates and steps, not Amplitude's segment (the first trap)", async () => {
    expect(result("all-charts-view")).toBeDefined();
    const count = async (where: string): Promise<Json | undefined> =>
      (await query(`SELECT CAST(count(*) AS INTEGER) AS n FROM amplitude_charts WHERE ${where}`))[0]
        ?.n;
    expect(await count("segment = 'All Users'")).toBe(0);
    expect(await count("(dimensions->>'Segment') = 'All Users'")).toBe(
      chartRecords.filter((r) => r.dimensions.Segment === "All Users").length,
    );
  });

  it("the DuckDB row of the accessor table reads a key, and a key with a space", async () => {
    const row = PAGE.split("\n").find((line) => line.startsWith("| DuckDB"));
    const cells = (row ?? "").split("|").slice(2, -1);
    const accessors = cells.map((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ""));
    expect(accessors.map((a) => a.length)).toEqual([2, 1]);
    const read = async (expression: string): Promise<Json | undefined> =>
      (
        await query(
          `SELECT ${expression} AS v FROM (SELECT '{"Country":"Canada","Device Type":"iOS"}'::JSON AS dimensions)`,
        )
      )[0]?.v;
    for (const expression of accessors[0] ?? []) expect(await read(expression)).toBe("Canada");
    for (const expression of accessors[1] ?? []) expect(await read(expression)).toBe("iOS");
  });

  it("pivot-portable: rows by dates, each cell the chart's value", () => {
    expectCells(result("pivot-portable"), (column) => column.slice(1).replaceAll("_", "-"));
  });

  it("pivot-duckdb: rows by dates, one column per date", () => {
    expectCells(result("pivot-duckdb"), (column) => column);
  });

  it("join-metadata: every current row, with its chart's title and metric", () => {
    const rows = result("join-metadata");
    const currentRows = chartRecords.filter((r) => !isComparison(r));
    expect(rows).toHaveLength(currentRows.length);
    for (const row of rows) {
      const chart = metadata.find((m) => m.chart_id === row.chart_id);
      expect(chart, String(row.chart_id)).toBeDefined();
      expect(row.title).toBe(chart?.title);
      expect(row.metric).toBe(chart?.metric);
      expect(String(row.dimension_value)).not.toMatch(/^\[Previous\] /);
    }
    expect([...new Set(rows.map((r) => r.title))].sort()).toEqual(
      metadata.map((m) => m.title).sort(),
    );
  });

  describe("a chart's history", () => {
    const allUsers = (synced: LandedRecord[]): Record<string, Json>[] =>
      synced.map((r) => r.data).filter((d) => d.dimension_value === "All Users");

    it("the three syncs sent moving windows, from each one's state", () => {
      expect(syncs).toHaveLength(3);
      // The first sync sends the whole window; the later ones its last days and the lookback.
      const days = syncs.map((s) => allUsers(s.records).length);
      expect(days[0]).toBe(14);
      expect(days[1]).toBeLessThan(14);
      expect(days[2]).toBeLessThan(14);
    });

    it("whole-history: every day ever synced, each with its latest value", () => {
      const latest = new Map<string, Json>();
      for (const sync of syncs) {
        for (const d of allUsers(sync.records)) latest.set(String(d.segment), d.value ?? null);
      }
      const expected = [...latest.entries()]
        .sort(([a], [b]) => byLabel(a, b))
        .map(([day, value]) => ({ day, active_users: value }));
      expect(result("whole-history")).toEqual(expected);
      // As the page says: 20 days, where the chart shows 14.
      expect(result("whole-history")).toHaveLength(20);
      const lastWindow = allUsers(syncs[2]?.records ?? []).map((d) => d.segment);
      expect(result("whole-history").at(-1)?.day).toBe(lastWindow.at(-1));
    });

    it("latest-copy: the Append table's latest copies are what Append + Deduped keeps", async () => {
      expect(result("latest-copy")).toHaveLength((syncs[0]?.records.length ?? 0) + 12);
      const deduped = await query(
        `SELECT chart_id, dimension_value, segment, value, period_start
         FROM deduped.chart_${DAILY} ORDER BY dimension_value, period_start`,
      );
      expect(result("latest-copy")).toEqual(deduped);
      // The Append table itself has duplicates: the lookback sent days again.
      const copies = await query(
        `SELECT CAST(count(*) AS INTEGER) AS n FROM appended.chart_${DAILY}`,
      );
      expect(copies[0]?.n).toBeGreaterThan(result("latest-copy").length);
    });

    it("restatements: the days whose value changed from one sync to the next", () => {
      const changes: Row[] = [];
      const seen = new Map<string, Json>();
      for (const sync of syncs) {
        for (const d of sync.records.map((r) => r.data)) {
          const key = keyOf(d);
          if (seen.has(key) && seen.get(key) !== d.value) {
            changes.push({
              dimension_value: d.dimension_value ?? null,
              day: d.segment ?? null,
              synced_at: sync.extractedAt,
              previous_value: seen.get(key) ?? null,
              value: d.value ?? null,
            });
          }
          seen.set(key, d.value ?? null);
        }
      }
      const rows = result("restatements").map((r) => ({
        ...r,
        synced_at: new Date(String(r.synced_at)).toISOString().replace(".000Z", "Z"),
      }));
      const order = (r: Row): string =>
        `${String(r.dimension_value)} ${String(r.day)} ${String(r.synced_at)}`;
      expect(rows).toEqual([...changes].sort((a, b) => byLabel(order(a), order(b))));
      // As the page says: the first and the second sync's last days, for each segment.
      expect(rows).toHaveLength(4);
    });
  });
});
