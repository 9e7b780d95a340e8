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
      ["Segment", "Country", ...dates("2025-06-01", days)].map((h) => textCell(h)).join(","),
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
