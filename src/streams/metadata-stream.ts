import type { ChartExport } from "../body/chart-export.js";
import {
  airbyteStream,
  recordLine,
  type AirbyteStream,
  type JsonSchema,
} from "../protocol/messages.js";
import { LABEL_SEPARATOR } from "../transform/unpivot.js";

/**
 * The `charts_metadata` stream: one record per configured chart that was read
 * successfully, describing it. Its name, schema, key and records, in one place.
 */
export const METADATA_STREAM = "charts_metadata";

const nullableString = { type: ["null", "string"] };

export const METADATA_RECORD_SCHEMA: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  additionalProperties: true,
  required: ["chart_id", "title", "description", "metric", "event", "dimension", "filters"],
  properties: {
    chart_id: { type: "string", description: "The chart's ID." },
    title: { ...nullableString, description: "The chart's title." },
    description: { ...nullableString, description: "The chart's description, if it has one." },
    metric: { ...nullableString, description: "The metric label (e.g. Uniques)." },
    event: { ...nullableString, description: 'The event name(s), joined with "; ".' },
    dimension: {
      ...nullableString,
      description:
        'The group-by label headers after the first, joined with "; "; null when there are none.',
    },
    filters: { ...nullableString, description: "Always null: the export does not expose filters." },
  },
};

export const metadataStream = (): AirbyteStream =>
  airbyteStream(METADATA_STREAM, METADATA_RECORD_SCHEMA, [["chart_id"]]);

/** One `charts_metadata` record: what the export's preamble and header say about the chart. */
export interface ChartMetadata {
  chart_id: string;
  title: string | null;
  description: string | null;
  metric: string | null;
  event: string | null;
  dimension: string | null;
  filters: null;
}

const orNull = (text: string | undefined): string | null =>
  text === undefined || text === "" ? null : text;

/**
 * Title and description are the first cells of the first preamble block's rows; the
 * metric is the second block's first non-empty cell and the events are the rest of
 * that block; the dimension is the label headers after the first. Filters are not in
 * the export.
 */
export function chartMetadata(
  chart: Pick<ChartExport, "chartId" | "preamble" | "shape">,
): ChartMetadata {
  const [titleBlock, metricBlock] = chart.preamble;
  const metricCells = (metricBlock ?? []).flat().filter((cell) => cell !== "");
  const [metric, ...events] = metricCells;
  return {
    chart_id: chart.chartId,
    title: orNull(titleBlock?.[0]?.[0]),
    description: orNull(titleBlock?.[1]?.[0]),
    metric: orNull(metric),
    event: orNull(events.join(LABEL_SEPARATOR)),
    dimension: orNull(chart.shape.labelHeaders.slice(1).join(LABEL_SEPARATOR)),
    filters: null,
  };
}

/** The stream's RECORD line for one chart. */
export const metadataRecordLine = (metadata: ChartMetadata): string =>
  recordLine(METADATA_STREAM, metadata);
