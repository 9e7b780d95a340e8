import type { ChartExport } from "../body/chart-export.js";
import { airbyteStream, type AirbyteStream, type JsonSchema } from "../protocol/messages.js";
import type { RowRecords, TableShape } from "../transform/unpivot.js";

/**
 * The `chart_{chart_id}` streams: one per configured chart, one record per (table row,
 * value column). Their name, schema, key and records, in one place: a field added to
 * the records is added to the schema here and to the encoder below.
 */
export const chartStreamName = (chartId: string): string => `chart_${chartId}`;

export const CHART_RECORD_SCHEMA: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  additionalProperties: true,
  required: ["chart_id", "dimension_name", "dimension_value", "segment", "value", "dimensions"],
  properties: {
    chart_id: { type: "string", description: "The chart's ID." },
    dimension_name: {
      type: "string",
      description: 'The label-column header(s), joined with "; " (e.g. "Segment; Country").',
    },
    dimension_value: {
      type: "string",
      description:
        'The row\'s label value(s), forward-filled, joined with "; " (e.g. "All Users; Canada").',
    },
    segment: {
      type: "string",
      description: "The value column's header: a date for time series, else the column's label.",
    },
    value: {
      type: ["null", "number"],
      description: "The cell as a number; null when empty or not numeric.",
    },
    dimensions: {
      type: "object",
      description: "Label header -> label value for the row.",
      // CAT requires additionalProperties: true everywhere; the values are label strings.
      additionalProperties: true,
    },
  },
};

export const chartStream = (chartId: string): AirbyteStream =>
  airbyteStream(chartStreamName(chartId), CHART_RECORD_SCHEMA, [
    ["chart_id"],
    ["dimension_value"],
    ["segment"],
  ]);

/** The chart's RECORD lines, in pieces, each with its record count. */
export async function* chartRecordLines(
  chart: ChartExport,
): AsyncGenerator<[lines: string, count: number]> {
  const encoder = new RecordEncoder(chartStreamName(chart.chartId), chart.chartId, chart.shape);
  for await (const batch of chart.rows()) {
    const emittedAt = Date.now();
    for (const row of batch) yield* encoder.encode(row, emittedAt);
  }
}

/**
 * Pieces stay well under glibc's mmap threshold (128 kB) once written as UTF-8 (up to 3
 * bytes a character): larger temporary buffers raise that threshold and fragment the
 * heap, which showed as +40 MB of peak RSS on a 3.65M-record chart.
 */
const PIECE_CHARS = 12 * 1024;

/**
 * Turns a chart's rows of records into RECORD lines. The parts every record of the chart
 * shares (stream, chart_id, dimension_name, each segment) are serialised once, so a
 * record costs a few string joins, not a JSON.stringify of a fresh object.
 * Field order: chart_id, dimension_name, dimension_value, segment, value, dimensions.
 */
export class RecordEncoder {
  private readonly head: string;
  private readonly segmentParts: string[];

  constructor(stream: string, chartId: string, shape: TableShape) {
    const json = JSON.stringify;
    this.head =
      `{"type":"RECORD","record":{"stream":${json(stream)},"data":{"chart_id":${json(chartId)},` +
      `"dimension_name":${json(shape.dimensionName)},"dimension_value":`;
    this.segmentParts = shape.segments.map((segment) => `,"segment":${json(segment)},"value":`);
  }

  /**
   * The lines for one table row's records, in pieces of about PIECE_CHARS, each with its
   * record count. A wide row (365 dates) would otherwise be one ~90 kB string.
   */
  *encode(row: RowRecords, emittedAt: number): Generator<[lines: string, count: number]> {
    const start = this.head + JSON.stringify(row.dimensionValue);
    const end = `,"dimensions":${JSON.stringify(row.dimensions)}},"emitted_at":${emittedAt}}}\n`;
    const values = row.valuesJson;
    let lines = "";
    let from = 0;
    for (let k = 0; k < values.length; k++) {
      lines += start + (this.segmentParts[k] as string) + (values[k] as string) + end;
      if (lines.length >= PIECE_CHARS) {
        yield [lines, k + 1 - from];
        lines = "";
        from = k + 1;
      }
    }
    if (lines !== "") yield [lines, values.length - from];
  }
}
