import { csvLine, dates, textCell } from "../fake-amplitude/csv.js";

/**
 * A large chart in Amplitude's exact export style: every cell quoted, a TAB before text
 * cells, CRLF; a Segment column plus a group-by column, then one column per day.
 * Values are deterministic, of realistic widths (0 to 6 digits, some decimals, some empty).
 */
export function* benchChartCsv(rows: number, days: number): Generator<string> {
  const nl = "\r\n";
  yield (
    [
      textCell("Daily Active Users by Country"),
      "",
      textCell("Uniques"),
      textCell("Any Active Event"),
      "",
      ["Segment", "Country", ...benchChartDates(days)].map((h) => textCell(h)).join(","),
    ].join(nl) + nl
  );
  let batch = "";
  for (let r = 0; r < rows; r++) {
    const cells: (string | number | null)[] = [
      r % 2 === 0 ? "All Users" : "[Previous] All Users",
      `Country ${r >> 1}`,
    ];
    for (let d = 0; d < days; d++) cells.push(valueAt(r, d));
    batch += csvLine(cells) + nl;
    if (batch.length >= 1 << 16) {
      yield batch;
      batch = "";
    }
  }
  yield batch;
}

function valueAt(row: number, day: number): number | null {
  const h = (Math.imul(row + 1, 2654435761) ^ Math.imul(day + 1, 40503)) >>> 0;
  if (h % 97 === 0) return null;
  if (h % 11 === 0) return (h % 100000) / 1000;
  return h % 10 ** (h % 7);
}

/** A data table's value columns: `<metric>--<segment>`, as Amplitude names them. */
export const DATA_TABLE_VALUES = [
  "Renewals--All Users",
  "Renewals--Paid Users",
  "Revenue--All Users",
];
/** Rows per (brand, year) group of a data table: one per day. */
const DATA_TABLE_DAYS = 100;

/**
 * A large data table in Amplitude's exact export style: no `Segment` header; the label
 * columns are the group-bys (`brand`, and `year`, a number) and `Time` (one date per row);
 * the value columns are named `<metric>--<segment>`; EVERY cell carries the TAB marker,
 * numbers included (`"\t28.0"`), as in test/fixtures/data-table.csv. Each (brand, year)
 * group runs over DATA_TABLE_DAYS days, its labels written on its first row only (the
 * rows below leave them empty, `"\t"`). Every cell quoted, CRLF, a title block, a blank
 * line, the table. Values deterministic: whole numbers as `28.0`, some decimals, some empty.
 */
export function* benchDataTableCsv(rows: number): Generator<string> {
  const nl = "\r\n";
  const marked = (cells: string[]): string => cells.map((c) => textCell(c)).join(",");
  yield (
    [
      textCell("Renewals by brand"),
      textCell("Renewals and revenue, per brand, year of contract and day"),
      "",
      marked(["brand", "year", "Time", ...DATA_TABLE_VALUES]),
    ].join(nl) + nl
  );
  const days = dates("2025-06-01", DATA_TABLE_DAYS);
  let batch = "";
  for (let r = 0; r < rows; r++) {
    const group = Math.floor(r / DATA_TABLE_DAYS);
    const day = r % DATA_TABLE_DAYS;
    const cells = day === 0 ? [`Brand ${group >> 3}`, String(2019 + (group % 8))] : ["", ""];
    cells.push(days[day] as string);
    for (let k = 0; k < DATA_TABLE_VALUES.length; k++) cells.push(dataTableValue(r, k));
    batch += marked(cells) + nl;
    if (batch.length >= 1 << 16) {
      yield batch;
      batch = "";
    }
  }
  yield batch;
}

/** The date columns of a benchChartCsv chart of `days` days. */
export const benchChartDates = (days: number): string[] => dates("2025-06-01", days);

function dataTableValue(row: number, column: number): string {
  const h = (Math.imul(row + 1, 2654435761) ^ Math.imul(column + 1, 40503)) >>> 0;
  if (h % 53 === 0) return "";
  if (h % 5 === 0) return String((h % 1_000_000) / 100);
  return `${h % 10 ** (1 + (h % 4))}.0`;
}
