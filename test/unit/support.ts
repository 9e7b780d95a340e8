import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { csvRows } from "../../src/csv/csv-rows.js";
import { readChartTable, type ChartTable } from "../../src/csv/table-reader.js";
import { chartMetadata, type ChartMetadata } from "../../src/streams/metadata-stream.js";
import { tableShape, unpivot, type TableShape } from "../../src/transform/unpivot.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");

/** A CSV fixture in Amplitude's style (TAB markers, CRLF, blank lines between blocks). */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), "utf8");
}

/** A fresh temp folder for the enclosing suite: made before its tests, removed after them. */
export function tempFolder(prefix: string): () => string {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}

export async function* fromParts(parts: Iterable<string>): AsyncGenerator<string> {
  for (const part of parts) yield part;
}

/** `text` cut into pieces of `size` characters. */
export function piecesOf(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** `text` cut at the given offsets (sorted, may repeat: repeats give empty pieces). */
export function cutAt(text: string, offsets: number[]): string[] {
  const sorted = [...offsets].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const offset of sorted) {
    out.push(text.slice(from, offset));
    from = offset;
  }
  out.push(text.slice(from));
  return out;
}

/** A small deterministic PRNG (mulberry32), so random chunkings are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `text` cut into `count` + 1 pieces at random offsets. */
export function randomPieces(text: string, count: number, random: () => number): string[] {
  return cutAt(
    text,
    Array.from({ length: count }, () => Math.floor(random() * (text.length + 1))),
  );
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** All CSV rows of a text fed in the given pieces. */
export async function rowsOf(parts: string[]): Promise<string[][]> {
  return (await collect(csvRows(fromParts(parts)))).flat();
}

export async function tableOf(parts: string[]): Promise<ChartTable> {
  return readChartTable(() => csvRows(fromParts(parts)));
}

/** A chart record as the user sees it (without the stream envelope). */
export interface LongRecord {
  dimension_name: string;
  dimension_value: string;
  segment: string;
  value: number | null;
  dimensions: Record<string, string>;
  period_start: string | null;
}

export interface ParsedExport {
  table: ChartTable;
  shape: TableShape;
  records: LongRecord[];
  metadata: ChartMetadata;
}

/** The whole data path from CSV text to long records and the metadata record. */
export async function exportOf(parts: string[], chartId = "abc123de"): Promise<ParsedExport> {
  const table = await tableOf(parts);
  const shape = tableShape(table);
  const records: LongRecord[] = [];
  for await (const batch of unpivot(table, shape)) {
    for (const row of batch) {
      row.valuesJson.forEach((json, k) =>
        records.push({
          dimension_name: shape.dimensionName,
          dimension_value: row.dimensionValue,
          segment: shape.segments[k] as string,
          value: JSON.parse(json) as number | null,
          dimensions: row.dimensions,
          period_start: shape.periods[k] ?? row.periodStart,
        }),
      );
    }
  }
  return {
    table,
    shape,
    records,
    metadata: chartMetadata({ chartId, preamble: table.preamble, shape }),
  };
}
