/** A CSV body that ends inside a quoted cell: the text was cut short. */
export class CsvTruncatedError extends Error {}

/**
 * CSV text chunks -> rows of cells. RFC 4180 quoting (commas, `""`, line breaks inside
 * quotes); rows end at LF or CRLF, and a row's closing CR is never part of a cell.
 * Blank lines come out as `[""]`; they separate blocks. A row cut by a chunk boundary
 * is carried into the next chunk.
 *
 * Written here rather than taken from papaparse (which the tests use as the reference):
 * papaparse spent ~17% of a large read on its general quote handling (a regex replace
 * per cell, look-ahead for spaces); Amplitude quotes every cell, so the common case is
 * one indexOf and one slice per cell.
 */
export async function* csvRows(text: AsyncIterable<string>): AsyncGenerator<string[][]> {
  let carry = "";
  for await (const chunk of text) {
    const input = carry + chunk;
    const { rows, rest } = splitRows(input, false);
    carry = input.slice(rest);
    if (rows.length > 0) yield rows;
  }
  if (carry === "") return;
  const { rows } = splitRows(carry, true);
  if (rows.length > 0) yield rows;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * The complete rows of `text`, and where the incomplete rest begins. With `final`, the
 * text is the end of the body: its last row needs no line end, and a quote left open
 * means the body was cut short.
 */
export function splitRows(text: string, final: boolean): { rows: string[][]; rest: number } {
  const rows: string[][] = [];
  const end = text.length;
  let rowStart = 0;
  nextRow: while (rowStart < end) {
    const row: string[] = [];
    let pos = rowStart;
    for (;;) {
      // One cell starts at `pos`; `after` is the index just past it.
      let after: number;
      if (text.charCodeAt(pos) === QUOTE) {
        const close = text.indexOf('"', pos + 1);
        const next = text.charCodeAt(close + 1);
        if (
          close >= 0 &&
          (next === COMMA || next === LF || (next === CR && text.charCodeAt(close + 2) === LF))
        ) {
          // The common case: no doubled quote inside, a comma or line end after.
          row.push(text.slice(pos + 1, close));
          after = close + 1;
        } else {
          const cell = quotedCell(text, pos, final);
          if (cell === undefined) break nextRow;
          row.push(cell[0]);
          after = cell[1];
        }
      } else {
        after = pos;
        let c = text.charCodeAt(after);
        while (c !== COMMA && c !== LF && after < end) c = text.charCodeAt(++after);
        if (after === end && !final) break nextRow;
        // A CR before the line end belongs to the line end, not to the cell.
        const cellEnd =
          c !== COMMA && after > pos && text.charCodeAt(after - 1) === CR ? after - 1 : after;
        row.push(text.slice(pos, cellEnd));
      }
      const c = text.charCodeAt(after);
      if (c === COMMA) {
        pos = after + 1;
        continue;
      }
      rows.push(row);
      rowStart = after + (c === CR ? 2 : 1);
      continue nextRow;
    }
  }
  return { rows, rest: Math.min(rowStart, end) };
}

/**
 * The quoted cell opening at `open`: its text (`""` read as `"`) and the index past its
 * closing quote, or undefined when the text ends before the cell does (not `final`).
 * A quote followed by anything but a quote, comma or line end is taken as text.
 */
function quotedCell(text: string, open: number, final: boolean): [string, number] | undefined {
  const end = text.length;
  let value = "";
  let from = open + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) {
      if (final) throw new CsvTruncatedError("the CSV ends inside a quoted cell");
      return undefined;
    }
    // What follows may still be coming: a quote (`""`) or the LF of a CRLF.
    if (!final && (q + 1 === end || (text.charCodeAt(q + 1) === CR && q + 2 === end))) {
      return undefined;
    }
    const next = text.charCodeAt(q + 1);
    if (next === QUOTE) {
      value += text.slice(from, q + 1);
      from = q + 2;
      continue;
    }
    const endsLine =
      next === LF || (next === CR && (q + 2 === end || text.charCodeAt(q + 2) === LF));
    if (q + 1 === end || next === COMMA || endsLine) return [value + text.slice(from, q), q + 1];
    value += text.slice(from, q + 1);
    from = q + 1;
  }
}
