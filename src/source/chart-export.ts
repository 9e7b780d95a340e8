import type { SpooledChart } from "../amplitude/client.js";
import { headAndTail, openChartCsv } from "../amplitude/response-body.js";
import { CsvTruncatedError, csvRows } from "../csv/csv-rows.js";
import { NoTableError, readChartTable } from "../csv/table-reader.js";
import { ConnectorError } from "../errors.js";
import { RecordEncoder } from "../protocol/record-encoder.js";
import type { ProtocolWriter } from "../protocol/writer.js";
import { chartStreamName } from "../streams/schemas.js";
import { chartMetadata, type ChartMetadata } from "../transform/metadata.js";
import { tableShape, unpivot } from "../transform/unpivot.js";
import type { StreamEmitter } from "./stream-lifecycle.js";

/** Amplitude's export caps on group-by rows: a table exactly this long is probably cut. */
const EXPORT_CAPS: Record<number, string> = {
  10_000: "event segmentation",
  2_000: "stickiness",
  300: "funnels and retention",
};

/**
 * One chart's spooled export -> its metadata, and, when `emit` is given, its records
 * (body -> CSV rows -> table -> unpivot -> record lines). Without `emit` the whole
 * table is still read, so the metadata is only returned for a chart that reads cleanly.
 */
export async function exportChart(
  chart: SpooledChart,
  writer: ProtocolWriter,
  emit?: StreamEmitter,
): Promise<ChartMetadata> {
  const { chartId } = chart;
  const started = Date.now();
  let text: AsyncGenerator<string> | undefined;
  try {
    text = await openChartCsv(chart);
    const table = await readChartTable(csvRows(text));
    const shape = tableShape(table);
    await writer.log(
      "INFO",
      `Chart ${chartId}: table with ${table.header.length} columns (labels: ${shape.labelHeaders.join(", ")}; ` +
        `${shape.segments.length} value columns).`,
    );
    const encoder = emit ? new RecordEncoder(chartStreamName(chartId), chartId, shape) : undefined;
    let rows = 0;
    let records = 0;
    for await (const batch of unpivot(table, shape)) {
      rows += batch.length;
      if (!emit || !encoder) continue;
      const emittedAt = Date.now();
      for (const row of batch) {
        for (const [lines, count] of encoder.encode(row, emittedAt)) {
          await emit.records(lines, count);
          records += count;
        }
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    await writer.log(
      "INFO",
      `Chart ${chartId}: ${rows} rows x ${shape.segments.length} value columns` +
        (emit ? `, ${records} records emitted in ${seconds} s.` : `, read in ${seconds} s.`),
    );
    const cap = EXPORT_CAPS[rows];
    if (cap) {
      await writer.log(
        "WARN",
        `Chart ${chartId}: the table has exactly ${rows} rows, Amplitude's export cap for ${cap} charts; ` +
          "it is probably truncated. Narrow the chart's group-by or filters in Amplitude to export every value.",
      );
    }
    return chartMetadata(chartId, table.preamble, shape);
  } catch (error) {
    throw await explain(chart, error);
  } finally {
    // The table ends at its first blank line; the text after it is never read.
    await text?.return(undefined);
  }
}

async function explain(chart: SpooledChart, error: unknown): Promise<unknown> {
  const { chartId } = chart;
  if (error instanceof CsvTruncatedError) {
    // Show where the body stopped, so the user sees what arrived.
    const { tail } = await headAndTail(chart.path, chart.bytes).catch(() => ({ tail: "" }));
    const end = tail.replace(/\s+/g, " ").trim().slice(-100);
    return new ConnectorError(
      "system_error",
      `Amplitude's answer for chart ${chartId} was cut short: ${error.message} (${chart.bytes} bytes arrived, ending: ...${end}). Records read before the cut were emitted; run the sync again.`,
    );
  }
  if (error instanceof NoTableError) {
    return new ConnectorError(
      "system_error",
      `Amplitude's answer for chart ${chartId} holds no table (${error.message}). Open the chart in Amplitude and check that it shows data.`,
    );
  }
  return error;
}

/** The chart's download, with the LOG lines a user follows. */
export function describeDownload(chart: SpooledChart): string {
  const size =
    chart.bytes >= 1e6
      ? `${(chart.bytes / 1e6).toFixed(1)} MB`
      : `${(chart.bytes / 1e3).toFixed(1)} kB`;
  return `Chart ${chart.chartId}: received ${size} in ${(chart.elapsedMs / 1000).toFixed(1)} s.`;
}
