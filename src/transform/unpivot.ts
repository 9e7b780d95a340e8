import { periodStartOf, stripMarker, valueJson } from "../csv/cells.js";
import type { ChartTable } from "../csv/table-reader.js";

/** What every record of a table shares: its label headers and its value-column headers. */
export interface TableShape {
  /** Label-column headers, in table order. */
  labelHeaders: string[];
  /** `labelHeaders` joined with "; " (the records' `dimension_name`). */
  dimensionName: string;
  /** Value-column headers, in table order (the records' `segment`). */
  segments: string[];
  /** Each value column's period, when its header is a date (a time series); else null. */
  periods: (string | null)[];
  /** The label column whose values are the rows' periods (a data table's `Time`); -1 if none. */
  timeLabel: number;
}

/**
 * The records of one table row, in columnar form: the row's labels once, then one value
 * per value column. Record k is (dimensionValue, segments[k], valuesJson[k]).
 */
export interface RowRecords {
  /** Forward-filled label values joined with "; ". */
  dimensionValue: string;
  /** Label header -> label value, lossless when a value contains "; ". */
  dimensions: Record<string, string>;
  /** Each value as JSON text: a number, or "null" for an empty or non-numeric cell. */
  valuesJson: string[];
  /** The row's period, from its `Time` label; null when it has none. */
  periodStart: string | null;
}

export const LABEL_SEPARATOR = "; ";

export function tableShape(table: ChartTable): TableShape {
  const labelHeaders = table.header.slice(0, table.labelColumns);
  const segments = table.header.slice(table.labelColumns);
  return {
    labelHeaders,
    dimensionName: labelHeaders.join(LABEL_SEPARATOR),
    segments,
    periods: segments.map(periodStartOf),
    timeLabel: labelHeaders.findIndex((header) => header.trim().toLowerCase() === "time"),
  };
}

/**
 * Wide table rows -> long records, row by row and, within a row, column by column.
 * An empty label cell takes the value above it (hierarchical tables leave repeats out).
 * Cells missing from a short row count as empty; extra cells past the header are ignored.
 */
export async function* unpivot(table: ChartTable, shape: TableShape): AsyncGenerator<RowRecords[]> {
  const labelCount = table.labelColumns;
  const valueCount = shape.segments.length;
  const above: string[] = new Array<string>(labelCount).fill("");
  for await (const batch of table.rows) {
    const out: RowRecords[] = new Array<RowRecords>(batch.length);
    for (let r = 0; r < batch.length; r++) {
      const row = batch[r] as string[];
      // No prototype: a label header named "__proto__" is an ordinary key here.
      const dimensions: Record<string, string> = Object.create(null) as Record<string, string>;
      for (let j = 0; j < labelCount; j++) {
        const label = stripMarker(row[j] ?? "");
        const filled = label === "" ? (above[j] as string) : label;
        above[j] = filled;
        dimensions[shape.labelHeaders[j] as string] = filled;
      }
      const valuesJson = new Array<string>(valueCount);
      for (let k = 0; k < valueCount; k++) {
        const cell = row[labelCount + k];
        valuesJson[k] = cell === undefined || cell === "" ? "null" : valueJson(stripMarker(cell));
      }
      const periodStart = shape.timeLabel < 0 ? null : periodStartOf(above[shape.timeLabel] ?? "");
      out[r] = { dimensionValue: above.join(LABEL_SEPARATOR), dimensions, valuesJson, periodStart };
    }
    yield out;
  }
}
