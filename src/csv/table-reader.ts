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

/** A block of the export as the first pass sees it: where it starts, its length, its first rows. */
interface Block {
  start: number;
  length: number;
  /** At most HELD_ROWS of its rows: a preamble block is a few rows, a table may be millions. */
  rows: string[][];
}

/** The rows of a block held while the export is scanned; a longer table is read again. */
const HELD_ROWS = 1000;

/**
 * Rows of an export -> its preamble, header and data rows. Blocks are separated by blank
 * lines; the table is the block whose first cell is `Segment`, else the last block. Only
 * the preamble and the header are held: after a `Segment` header the data rows stream
 * through; without one (every data table) the table is known only at the end, so a table
 * longer than HELD_ROWS is read a second time, from `openRows()` again, from its header on.
 */
export async function readChartTable(
  openRows: () => AsyncIterable<string[][]>,
): Promise<ChartTable> {
  const rows = new RowCursor(openRows());
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (let index = 0; ; index++) {
    const row = await rows.next();
    if (row === undefined) break;
    if (isBlank(row)) {
      if (current) blocks.push(current);
      current = undefined;
    } else if (current) {
      current.length++;
      if (current.rows.length < HELD_ROWS) current.rows.push(row);
    } else if (stripMarker(row[0] ?? "") === "Segment") {
      const first = await rows.next();
      const firstRow = first === undefined || isBlank(first) ? undefined : first;
      const preamble = blocks.map((block) => block.rows);
      return table(preamble, row, firstRow, firstRow ? rows.untilBlank(firstRow) : empty());
    } else {
      current = { start: index, length: 1, rows: [row] };
    }
  }
  if (current) blocks.push(current);
  const last = blocks.pop();
  const [header, ...held] = last?.rows ?? [];
  if (!last || header === undefined) throw new NoTableError("the CSV holds no table");
  const data =
    last.length <= HELD_ROWS
      ? inBatches(held)
      : rowsAt(openRows(), last.start + 1, last.length - 1);
  return table(
    blocks.map((block) => block.rows),
    header,
    held[0],
    data,
  );
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

/** A data table's value column: `<metric>--<segment>` ("Uniques--All Users"). */
const DATA_TABLE_VALUE = /.--./;

/**
 * Labels are the leading text columns. Scanning from the left, they end at the first
 * column whose header is a date, or whose first data row holds a value: an unmarked,
 * non-empty cell (or, in an export without markers, a number). The first column is
 * always a label.
 *
 * A data table marks every cell, numbers included, so there the marker cannot tell a
 * label from a value: when every cell of the first data row is marked, the labels are the
 * columns before the first one named `<metric>--<segment>` (the group-bys and `Time`,
 * numeric ones too: a year, a price).
 */
export function labelColumnCount(
  headerRaw: string[],
  firstRow: string[] | undefined,
  markers: boolean,
): number {
  if (markers && firstRow?.every((cell) => cell === "" || hasMarker(cell))) {
    const firstValue = headerRaw.findIndex(
      (header, j) => j > 0 && DATA_TABLE_VALUE.test(stripMarker(header)),
    );
    if (firstValue > 0) return firstValue;
  }
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

/** `count` rows from row `start` of the batches (counting from 0), in batches. */
async function* rowsAt(
  batches: AsyncIterable<string[][]>,
  start: number,
  count: number,
): AsyncGenerator<string[][]> {
  let index = 0;
  const end = start + count;
  for await (const batch of batches) {
    const from = Math.max(start - index, 0);
    const to = Math.min(end - index, batch.length);
    index += batch.length;
    if (from < to) yield from === 0 && to === batch.length ? batch : batch.slice(from, to);
    if (index >= end) return;
  }
}

async function* inBatches(rows: string[][]): AsyncGenerator<string[][]> {
  if (rows.length > 0) yield rows;
}

async function* empty(): AsyncGenerator<string[][]> {}
