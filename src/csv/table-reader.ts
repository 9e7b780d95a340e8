import { hasMarker, isDateHeader, parseValue, stripMarker } from "./cells.js";

/** A chart export, split into what the connector uses. */
export interface ChartTable {
  /** The blocks before the table (title, metric, ...), cells without their marker. */
  preamble: string[][][];
  /** The table's header row, cells without their marker. */
  header: string[];
  /** How many leading columns hold labels (at least 1); the rest hold values. */
  labelColumns: number;
  /** The data rows, raw (markers still on), in batches, top to bottom. */
  rows: AsyncIterable<string[][]>;
}

export class NoTableError extends Error {}

const isBlank = (row: string[]): boolean => row.length === 1 && row[0] === "";

/**
 * Rows of an export -> its preamble, header and data rows. Blocks are separated by
 * blank lines; the table is the block whose first cell is `Segment` (else the last
 * block). Only the preamble and the header are held; data rows stream through.
 */
export async function readChartTable(batches: AsyncIterable<string[][]>): Promise<ChartTable> {
  const rows = new RowCursor(batches);
  const blocks: string[][][] = [];
  let current: string[][] | undefined;
  for (;;) {
    const row = await rows.next();
    if (row === undefined) break;
    if (isBlank(row)) {
      if (current) blocks.push(current);
      current = undefined;
    } else if (current) {
      current.push(row);
    } else if (stripMarker(row[0] ?? "") === "Segment") {
      const first = await rows.next();
      const firstRow = first === undefined || isBlank(first) ? undefined : first;
      return table(blocks, row, firstRow, firstRow ? rows.untilBlank(firstRow) : empty());
    } else {
      current = [row];
    }
  }
  // No `Segment` header: the last block is the table (held in memory, unlike the usual case).
  if (current) blocks.push(current);
  const last = blocks.pop();
  if (!last || last[0] === undefined) throw new NoTableError("the CSV holds no table");
  const [header, ...data] = last;
  return table(blocks, header, data[0], inBatches(data));
}

function table(
  preambleRaw: string[][][],
  headerRaw: string[],
  firstRow: string[] | undefined,
  rows: AsyncIterable<string[][]>,
): ChartTable {
  const markers =
    preambleRaw.some((block) => block.some((row) => row.some(hasMarker))) ||
    headerRaw.some(hasMarker) ||
    (firstRow?.some(hasMarker) ?? false);
  return {
    preamble: preambleRaw.map((block) => block.map((row) => row.map(stripMarker))),
    header: headerRaw.map(stripMarker),
    labelColumns: labelColumnCount(headerRaw, firstRow, markers),
    rows,
  };
}

/**
 * Labels are the leading text columns. Scanning from the left, they end at the first
 * column whose header is a date, or whose first data row holds a value: an unmarked,
 * non-empty cell (or, in an export without markers, a number). The first column is
 * always a label.
 */
export function labelColumnCount(
  headerRaw: string[],
  firstRow: string[] | undefined,
  markers: boolean,
): number {
  let count = 1;
  for (let j = 1; j < headerRaw.length; j++) {
    if (isDateHeader(stripMarker(headerRaw[j] ?? ""))) break;
    if (!firstRow) break;
    const cell = firstRow[j] ?? "";
    const isValue = markers
      ? cell !== "" && !hasMarker(cell)
      : cell !== "" && parseValue(cell) !== null;
    if (isValue) break;
    count++;
  }
  return count;
}

/** Reads rows one at a time out of batches, and hands the rest of a block on in batches. */
class RowCursor {
  private batch: string[][] = [];
  private index = 0;
  private readonly source: AsyncIterator<string[][]>;

  constructor(batches: AsyncIterable<string[][]>) {
    this.source = batches[Symbol.asyncIterator]();
  }

  async next(): Promise<string[] | undefined> {
    while (this.index >= this.batch.length) {
      const next = await this.source.next();
      if (next.done) return undefined;
      this.batch = next.value;
      this.index = 0;
    }
    return this.batch[this.index++];
  }

  /** `first`, then the following rows up to the next blank line or the end. */
  async *untilBlank(first: string[]): AsyncGenerator<string[][]> {
    let rest = this.batch.slice(this.index);
    this.index = this.batch.length;
    let pending = [first];
    for (;;) {
      const blank = rest.findIndex(isBlank);
      if (blank >= 0) {
        pending.push(...rest.slice(0, blank));
        if (pending.length > 0) yield pending;
        return;
      }
      if (pending.length > 0) {
        pending.push(...rest);
        yield pending;
        pending = [];
      } else if (rest.length > 0) yield rest;
      const next = await this.source.next();
      if (next.done) return;
      rest = next.value;
    }
  }
}

async function* inBatches(rows: string[][]): AsyncGenerator<string[][]> {
  if (rows.length > 0) yield rows;
}

async function* empty(): AsyncGenerator<string[][]> {}
