import type { RowRecords, TableShape } from "../transform/unpivot.js";

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

  /** The lines for one table row's records, each ending in a newline. */
  encode(row: RowRecords, emittedAt: number): string {
    const start = this.head + JSON.stringify(row.dimensionValue);
    const end = `,"dimensions":${JSON.stringify(row.dimensions)}},"emitted_at":${emittedAt}}}\n`;
    let lines = "";
    const values = row.values;
    for (let k = 0; k < values.length; k++) {
      const value = values[k];
      lines +=
        start +
        this.segmentParts[k] +
        (value === null || value === undefined ? "null" : value) +
        end;
    }
    return lines;
  }
}
