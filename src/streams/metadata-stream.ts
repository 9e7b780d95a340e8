import { LABEL_SEPARATOR, type TableShape } from "./unpivot.js";

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
  chartId: string,
  preamble: string[][][],
  shape: TableShape,
): ChartMetadata {
  const [titleBlock, metricBlock] = preamble;
  const metricCells = (metricBlock ?? []).flat().filter((cell) => cell !== "");
  const [metric, ...events] = metricCells;
  return {
    chart_id: chartId,
    title: orNull(titleBlock?.[0]?.[0]),
    description: orNull(titleBlock?.[1]?.[0]),
    metric: orNull(metric),
    event: orNull(events.join(LABEL_SEPARATOR)),
    dimension: orNull(shape.labelHeaders.slice(1).join(LABEL_SEPARATOR)),
    filters: null,
  };
}
