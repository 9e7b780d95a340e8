import { csvRows } from "../csv/csv-rows.js";
import { readChartTable } from "../csv/table-reader.js";
import { tableShape, unpivot, type RowRecords, type TableShape } from "../transform/unpivot.js";
import { explainBodyError } from "./body-errors.js";
import { csvText, sniffBody } from "./body-format.js";
import type { SpooledBody } from "./spool.js";

/** Amplitude's export caps on group-by rows: a table exactly this long is probably cut. */
const EXPORT_CAPS: Record<number, string> = {
  10_000: "event segmentation",
  2_000: "stickiness",
  300: "funnels and retention",
};

/** The WARN for a table whose rows sit exactly on one of Amplitude's export caps, if it does. */
export function exportCapWarning(chartId: string, rows: number): string | undefined {
  const cap = EXPORT_CAPS[rows];
  return cap === undefined
    ? undefined
    : `Chart ${chartId}: the table has exactly ${rows} rows, Amplitude's export cap for ${cap} charts; ` +
        "it is probably truncated. Narrow the chart's group-by or filters in Amplitude to export every value.";
}

/** One chart's export, read from its spooled body: what the streams are made from. */
export interface ChartExport {
  chartId: string;
  /** The blocks before the table (title, metric, events), cells without their marker. */
  preamble: string[][][];
  shape: TableShape;
  /** The table's records, row by row, in batches; read once. */
  rows(): AsyncGenerator<RowRecords[]>;
  /** Table rows read so far. */
  readonly rowCount: number;
  /** Stops reading (the file is closed); the text after the table is never read. */
  close(): Promise<void>;
}

/**
 * body -> CSV text -> CSV rows -> table (preamble, header, label columns) -> unpivoted
 * rows. Every failure to understand the body, here or while the rows are read, comes out
 * as the body error table says (body-errors.ts).
 */
export async function readChartExport(body: SpooledBody): Promise<ChartExport> {
  const explain = async (error: unknown): Promise<unknown> => {
    const ends = await body.ends().catch(() => ({ head: "", tail: "" }));
    const { chartId, contentType, bytes } = body;
    return explainBodyError(error, { chartId, contentType, bytes, ...ends });
  };
  // The texts opened (a table without a `Segment` header may be read twice), closed at the end.
  const opened: AsyncGenerator<string>[] = [];
  const closeAll = async (): Promise<void> => {
    for (const text of opened.splice(0)) await text.return(undefined);
  };
  try {
    const { head, tail } = await body.ends();
    const kind = sniffBody(head, tail);
    const table = await readChartTable(() => {
      const text = csvText(kind, body.text());
      opened.push(text);
      return csvRows(text);
    });
    const shape = tableShape(table);
    let rowCount = 0;
    return {
      chartId: body.chartId,
      preamble: table.preamble,
      shape,
      get rowCount() {
        return rowCount;
      },
      async *rows() {
        try {
          for await (const batch of unpivot(table, shape)) {
            rowCount += batch.length;
            yield batch;
          }
        } catch (error) {
          throw await explain(error);
        }
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw await explain(error);
  }
}
