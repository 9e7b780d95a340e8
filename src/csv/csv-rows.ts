import Papa from "papaparse";

/** A CSV body that ends inside a quoted cell: the text was cut short. */
export class CsvTruncatedError extends Error {}

/**
 * CSV text chunks -> rows of cells, with papaparse's parser driven chunk by chunk:
 * each call returns the complete rows and where the incomplete tail starts, which is
 * carried into the next chunk. RFC 4180 quoting (commas, `""`, line breaks inside
 * quotes), CRLF or LF. Blank lines come out as `[""]`; they separate blocks.
 */
export async function* csvRows(text: AsyncIterable<string>): AsyncGenerator<string[][]> {
  let parser: Papa.Parser | undefined;
  let crlf = false;
  let carry = "";
  for await (const chunk of text) {
    const input = carry + chunk;
    if (!parser) {
      const firstBreak = input.indexOf("\n");
      if (firstBreak < 0) {
        carry = input;
        continue;
      }
      crlf = input.charCodeAt(firstBreak - 1) === 13;
      parser = new Papa.Parser({ delimiter: ",", newline: crlf ? "\r\n" : "\n" });
    }
    const result = parser.parse(input, 0, true) as ParseResult;
    carry = input.slice(result.meta.cursor);
    if (result.data.length > 0) yield crlf ? result.data : result.data.map(dropCr);
  }
  if (carry === "") return;
  parser ??= new Papa.Parser({ delimiter: ",", newline: "\n" });
  const result = parser.parse(carry, 0, false) as ParseResult;
  if (result.errors.some((e) => e.code === "MissingQuotes")) {
    throw new CsvTruncatedError("the CSV ends inside a quoted cell");
  }
  const rows = result.data.filter(
    (row, i) => !(i === result.data.length - 1 && row.length === 1 && row[0] === ""),
  );
  if (rows.length > 0) yield crlf ? rows : rows.map(dropCr);
}

interface ParseResult {
  data: string[][];
  errors: { code: string }[];
  meta: { cursor: number };
}

/** LF files can still have a CR before a newline on some rows. */
function dropCr(row: string[]): string[] {
  const last = row.length - 1;
  const cell = row[last];
  if (cell !== undefined && cell.endsWith("\r")) row[last] = cell.slice(0, -1);
  return row;
}
