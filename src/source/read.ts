import type { Amplitude } from "../amplitude/connect.js";
import { readChartExport, type ChartExport } from "../body/chart-export.js";
import { BodySpool, type SpooledBody } from "../body/spool.js";
import type { SelectedStreams } from "../config/catalog.js";
import type { ConnectorConfig } from "../config/config.js";
import { asConnectorError, ConnectorError } from "../errors.js";
import type { ProtocolWriter } from "../protocol/writer.js";
import { chartRecordLines, chartStreamName } from "../streams/chart-stream.js";
import {
  chartMetadata,
  metadataRecordLine,
  METADATA_STREAM,
  type ChartMetadata,
} from "../streams/metadata-stream.js";
import { ChartDownloads } from "./chart-downloads.js";
import { runStream, type StreamEmitter } from "./stream-lifecycle.js";

/** Amplitude's export caps on group-by rows: a table exactly this long is probably cut. */
const EXPORT_CAPS: Record<number, string> = {
  10_000: "event segmentation",
  2_000: "stickiness",
  300: "funnels and retention",
};

/**
 * The read: each needed chart is downloaded once (ahead, up to max_concurrent_requests
 * at a time) and its stream emitted in config order; `charts_metadata` comes last,
 * since it holds only the charts that were read successfully. Returns whether every
 * selected stream completed.
 */
export async function read(
  config: ConnectorConfig,
  selected: SelectedStreams,
  amplitude: Amplitude,
  writer: ProtocolWriter,
): Promise<boolean> {
  const needed = config.chartIds.filter((id) => selected.metadata || selected.charts.has(id));
  const spool = await BodySpool.create();
  const downloads = new ChartDownloads(needed, config.maxConcurrentRequests, async (chartId) => {
    await writer.log(
      "INFO",
      `Chart ${chartId}: requesting ${amplitude.dashboard.chartUrl(chartId)}`,
    );
    const body = await amplitude.dashboard.downloadChart(chartId, spool);
    await writer.log("INFO", describeDownload(body));
    return body;
  });

  let allComplete = true;
  const metadata: ChartMetadata[] = [];
  const unreported: ConnectorError[] = [];
  try {
    for (const chartId of needed) {
      const readChart = (consume: (chart: ChartExport) => Promise<number | undefined>) =>
        readOneChart(chartId, downloads, writer, consume);
      if (selected.charts.has(chartId)) {
        const complete = await runStream(writer, chartStreamName(chartId), async (emit) => {
          metadata.push(await readChart((chart) => emitRecords(chart, emit)));
        });
        allComplete &&= complete;
      } else {
        // Only charts_metadata wants this chart: a failure is reported on that stream.
        try {
          metadata.push(await readChart(skipRecords));
        } catch (error) {
          unreported.push(asConnectorError(error, `Chart ${chartId} failed`));
        }
      }
      await downloads.release(chartId);
    }
    if (selected.metadata) {
      const complete = await runStream(writer, METADATA_STREAM, async (emit) => {
        for (const record of metadata) await emit.records(metadataRecordLine(record), 1);
        if (unreported.length > 0) throw combine(unreported);
      });
      allComplete &&= complete;
    }
  } finally {
    await spool.close();
  }
  return allComplete;
}

/**
 * One chart, from its downloaded body to its metadata: its table is read whole by
 * `consume` (which emits its records, or not), so that the metadata of a chart that
 * does not read cleanly is never emitted.
 */
async function readOneChart(
  chartId: string,
  downloads: ChartDownloads,
  writer: ProtocolWriter,
  consume: (chart: ChartExport) => Promise<number | undefined>,
): Promise<ChartMetadata> {
  const started = Date.now();
  const chart = await readChartExport(await downloads.get(chartId));
  try {
    const { labelHeaders, segments } = chart.shape;
    await writer.log(
      "INFO",
      `Chart ${chartId}: table with ${labelHeaders.length + segments.length} columns (labels: ${labelHeaders.join(", ")}; ` +
        `${segments.length} value columns).`,
    );
    const records = await consume(chart);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const rows = chart.rowCount;
    await writer.log(
      "INFO",
      `Chart ${chartId}: ${rows} rows x ${segments.length} value columns` +
        (records !== undefined
          ? `, ${records} records emitted in ${seconds} s.`
          : `, read in ${seconds} s.`),
    );
    const cap = EXPORT_CAPS[rows];
    if (cap) {
      await writer.log(
        "WARN",
        `Chart ${chartId}: the table has exactly ${rows} rows, Amplitude's export cap for ${cap} charts; ` +
          "it is probably truncated. Narrow the chart's group-by or filters in Amplitude to export every value.",
      );
    }
    return chartMetadata(chart);
  } finally {
    await chart.close();
  }
}

async function emitRecords(chart: ChartExport, emit: StreamEmitter): Promise<number> {
  let records = 0;
  for await (const [lines, count] of chartRecordLines(chart)) {
    await emit.records(lines, count);
    records += count;
  }
  return records;
}

async function skipRecords(chart: ChartExport): Promise<undefined> {
  for await (const batch of chart.rows()) void batch;
  return undefined;
}

/** The chart's download, as the LOG line a user follows. */
function describeDownload(body: SpooledBody): string {
  const size =
    body.bytes >= 1e6
      ? `${(body.bytes / 1e6).toFixed(1)} MB`
      : `${(body.bytes / 1e3).toFixed(1)} kB`;
  return `Chart ${body.chartId}: received ${size} in ${(body.elapsedMs / 1000).toFixed(1)} s.`;
}

function combine(errors: ConnectorError[]): ConnectorError {
  const [first] = errors;
  if (errors.length === 1 && first) return first;
  return new ConnectorError(
    first?.failureType ?? "system_error",
    `${errors.length} charts could not be read: ${errors.map((e) => e.message).join(" | ")}`,
  );
}
