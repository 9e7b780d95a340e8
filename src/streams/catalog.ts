import type { AirbyteStream, JsonSchema } from "../protocol/messages.js";

export const METADATA_STREAM = "charts_metadata";
export const chartStreamName = (chartId: string): string => `chart_${chartId}`;

const nullableString = { type: ["null", "string"] };

/** The schema of every `chart_{chart_id}` stream: one record per (table row, value column). */
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

/** The schema of `charts_metadata`: one record per chart read successfully. */
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

const stream = (name: string, schema: JsonSchema, primaryKey: string[][]): AirbyteStream => ({
  name,
  json_schema: schema,
  supported_sync_modes: ["full_refresh"],
  source_defined_primary_key: primaryKey,
  is_resumable: false,
});

/** The catalog, from the config alone: `charts_metadata`, then one stream per chart. */
export function catalogStreams(chartIds: string[]): AirbyteStream[] {
  return [
    stream(METADATA_STREAM, METADATA_RECORD_SCHEMA, [["chart_id"]]),
    ...chartIds.map((id) =>
      stream(chartStreamName(id), CHART_RECORD_SCHEMA, [
        ["chart_id"],
        ["dimension_value"],
        ["segment"],
      ]),
    ),
  ];
}
