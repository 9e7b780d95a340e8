/**
 * Builds chart exports in Amplitude's exact style: every cell double-quoted, a TAB
 * before every text cell, CRLF line ends, blank lines between blocks.
 */
export type Cell = string | number | null;

/** What a chart export holds, for amplitudeCsv to write in Amplitude's style. */
export interface ExportContent {
  title: string;
  description?: string;
  /** The metric block: rows of text cells (e.g. [["Uniques"], ["Page Viewed"]]). */
  metric: string[][];
  /** Table header: label headers then value headers (dates or labels). */
  header: string[];
  /** Table rows: label cells (strings) then values (numbers; null for empty). */
  rows: Cell[][];
  /** Leading marker for text cells; Amplitude uses TAB, some exports backslash-t, some none. */
  marker?: "\t" | "\\t" | "";
  newline?: "\r\n" | "\n";
}

const quote = (text: string): string => `"${text.replace(/"/g, '""')}"`;

export function textCell(text: string, marker = "\t"): string {
  return quote(marker + text);
}

export function valueCell(value: Cell): string {
  return value === null ? '""' : quote(String(value));
}

export function csvLine(cells: Cell[], marker = "\t"): string {
  return cells.map((c) => (typeof c === "string" ? textCell(c, marker) : valueCell(c))).join(",");
}

export function amplitudeCsv(chart: ExportContent): string {
  const marker = chart.marker ?? "\t";
  const nl = chart.newline ?? "\r\n";
  const lines = [textCell(chart.title, marker)];
  if (chart.description !== undefined) lines.push(textCell(chart.description, marker));
  lines.push("");
  for (const row of chart.metric) lines.push(row.map((c) => textCell(c, marker)).join(","));
  lines.push("");
  lines.push(chart.header.map((h) => textCell(h, marker)).join(","));
  for (const row of chart.rows) lines.push(csvLine(row, marker));
  return lines.join(nl) + nl;
}

/** The JSON envelope Amplitude wraps the CSV in. */
export function envelope(csv: string): string {
  return JSON.stringify({ data: csv });
}

export function dates(start: string, count: number): string[] {
  const first = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) =>
    new Date(first + i * 86_400_000).toISOString().slice(0, 10),
  );
}
