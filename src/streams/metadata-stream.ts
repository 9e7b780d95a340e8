import type { DeveloperChart } from "../amplitude/developer-api.js";
import type { ChartExport } from "../body/chart-export.js";
import { ConnectorError } from "../errors.js";
import {
  airbyteStream,
  recordLine,
  type AirbyteStream,
  type JsonSchema,
} from "../protocol/messages.js";
import { LABEL_SEPARATOR } from "../transform/unpivot.js";
import { definitionParts } from "./chart-definition.js";

/**
 * The `charts_metadata` stream: one record per configured chart that was read
 * successfully, describing it. Its name, schema, key and records, in one place.
 */
export const METADATA_STREAM = "charts_metadata";

const nullableString = { type: ["null", "string"] };
// CAT requires additionalProperties: true on every object of a stream schema.
const nullableObject = { type: ["null", "object"], additionalProperties: true };

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
    filters: {
      ...nullableObject,
      description:
        "With a Developer API token: the definition's event filters and segment conditions, as given " +
        '({"events": [{"event_type", "filters"}], "segments": [{"name", "conditions"}]}); else null.',
    },
    chart_type: {
      ...nullableString,
      description:
        "With a Developer API token: the chart's type (event_segmentation, funnels, ...).",
    },
    url: {
      ...nullableString,
      description: "With a Developer API token: the chart's link in Amplitude.",
    },
    group_by: {
      type: ["null", "array"],
      description: "With a Developer API token: the definition's group-by entries, as given.",
    },
    definition: {
      ...nullableObject,
      description:
        "With a Developer API token: the chart's whole definition, unchanged (Amplitude calls its shape unstable).",
    },
    updated_at: {
      ...nullableString,
      description: "With a Developer API token: when the chart was last changed (ISO 8601).",
    },
  },
};

export const metadataStream = (): AirbyteStream =>
  airbyteStream(METADATA_STREAM, METADATA_RECORD_SCHEMA, [["chart_id"]]);

/** One `charts_metadata` record: what the export (and the Developer API) say about the chart. */
export interface ChartMetadata {
  chart_id: string;
  title: string | null;
  description: string | null;
  metric: string | null;
  event: string | null;
  dimension: string | null;
  filters: Record<string, unknown> | null;
  /** The fields below are there only with a Developer API token. */
  chart_type?: string | null;
  url?: string | null;
  group_by?: unknown[] | null;
  definition?: Record<string, unknown> | null;
  updated_at?: string | null;
}

/** What the Developer API said of the chart: its details, or that it does not know it. */
export type ChartDetails = { found: true; chart: DeveloperChart } | { found: false };

const orNull = (text: string | undefined): string | null =>
  text === undefined || text === "" ? null : text;

const stringOrNull = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? value : null;

/**
 * A funnel writes its conversion scope beside its metric (`"\tConversion Over Time","\tOverall"`):
 * on the metric's row, beside a conversion metric, a cell is that scope, not an event.
 */
const CONVERSION_METRIC = /^conversion\b/i;

/**
 * Title and description are the first cells of the first preamble block's rows; the
 * metric is the second block's first non-empty cell, and the events are the block's other
 * non-empty cells, except a funnel's conversion scope beside its metric (null rather than
 * wrong). The dimension is the label headers after the first. Filters are not in the
 * export: with a Developer API token (`details`), they, the type, the link, the group-bys
 * and the whole definition come from it, and its name and description fill a title or a
 * description the export lacks. Without one, the record is as the export alone gives it.
 */
export function chartMetadata(chart: ChartSummary, details?: ChartDetails): ChartMetadata {
  const [titleBlock, metricBlock = []] = chart.preamble;
  const nonEmpty = (row: string[]): string[] => row.filter((cell) => cell !== "");
  const metricRow = metricBlock.findIndex((row) => nonEmpty(row).length > 0);
  const [metric, ...beside] = metricRow < 0 ? [] : nonEmpty(metricBlock[metricRow] ?? []);
  const events = [
    ...(metric !== undefined && CONVERSION_METRIC.test(metric) ? [] : beside),
    ...metricBlock.slice(metricRow + 1).flatMap(nonEmpty),
  ];
  const exported: ChartMetadata = {
    chart_id: chart.chartId,
    title: orNull(titleBlock?.[0]?.[0]),
    description: orNull(titleBlock?.[1]?.[0]),
    metric: orNull(metric),
    event: orNull(events.join(LABEL_SEPARATOR)),
    dimension: orNull(chart.shape.labelHeaders.slice(1).join(LABEL_SEPARATOR)),
    filters: null,
  };
  if (details === undefined) return exported;
  const found = details.found ? details.chart : undefined;
  const definition =
    typeof found?.definition === "object" &&
    found.definition !== null &&
    !Array.isArray(found.definition)
      ? (found.definition as Record<string, unknown>)
      : null;
  const parts = definitionParts(definition);
  return {
    ...exported,
    title: exported.title ?? stringOrNull(found?.name),
    description: exported.description ?? stringOrNull(found?.description),
    filters: parts.filters,
    chart_type: stringOrNull(found?.chart_type),
    url: stringOrNull(found?.url),
    group_by: parts.group_by,
    definition,
    updated_at: stringOrNull(found?.updated_at),
  };
}

/** What charts_metadata needs of a chart that was read: its preamble and table shape. */
export type ChartSummary = Pick<ChartExport, "chartId" | "preamble" | "shape">;

/**
 * The stream's records during a read: it describes the charts it was given (in that order,
 * whatever order they are read in) that were read; a chart that only this stream wanted and
 * that failed is this stream's failure to report.
 */
export class MetadataRecords {
  private readonly summaries = new Map<string, ChartSummary>();
  private readonly failures = new Map<string, ConnectorError>();

  constructor(private readonly chartIds: string[]) {}

  read(summary: ChartSummary): void {
    this.summaries.set(summary.chartId, summary);
  }

  failed(chartId: string, error: ConnectorError): void {
    this.failures.set(chartId, error);
  }

  /** The charts read, in the order given. */
  readIds(): string[] {
    return this.chartIds.filter((id) => this.summaries.has(id));
  }

  /** A RECORD line per chart read; then, if charts this stream needed failed, their error. */
  *lines(details?: Map<string, ChartDetails>): Generator<string> {
    for (const chartId of this.readIds()) {
      const record = chartMetadata(
        this.summaries.get(chartId) as ChartSummary,
        details?.get(chartId),
      );
      yield recordLine(METADATA_STREAM, record);
    }
    const failures = this.chartIds.flatMap((id) => this.failures.get(id) ?? []);
    const [first] = failures;
    if (failures.length === 1 && first) throw first;
    if (failures.length > 1) {
      throw new ConnectorError(
        first?.failureType ?? "system_error",
        `${failures.length} charts could not be read: ${failures.map((e) => e.message).join(" | ")}`,
      );
    }
  }
}
