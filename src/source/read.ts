import type { Amplitude } from "../amplitude/connect.js";
import { readChartExport, type ChartExport } from "../body/chart-export.js";
import { BodySpool, type SpooledBody } from "../body/spool.js";
import { CATALOG_RECIPE, type SelectedStreams } from "../config/catalog.js";
import type { ConnectorConfig } from "../config/config.js";
import { asConnectorError, ConnectorError } from "../errors.js";
import type { ProtocolWriter } from "../protocol/writer.js";
import { chartRecordLines, chartStreamName } from "../streams/chart-stream.js";
import { chartMetadata, metadataRecordLine, METADATA_STREAM } from "../streams/metadata-stream.js";
import { chartDetails } from "./chart-details.js";
import { ChartDownloads } from "./chart-downloads.js";
import { WaitReport } from "./progress.js";
import { StreamLifecycle, type StreamEmitter } from "./stream-lifecycle.js";

/** Amplitude's export caps on group-by rows: a table exactly this long is probably cut. */
const EXPORT_CAPS: Record<number, string> = {
  10_000: "event segmentation",
  2_000: "stickiness",
  300: "funnels and retention",
};

/** Where the read's bodies may wait, and how often it reports waiting on Amplitude. */
export interface ReadOptions {
  /** Folders for the spool, in order of preference (see spool.ts). */
  spoolFolders: string[];
  progressEveryMs: number;
}

/**
 * The read: each needed chart is downloaded once (ahead, up to max_concurrent_requests
 * at a time), and its stream emitted when its download has ended, in the order they end;
 * `charts_metadata` comes last, since it holds only the charts that were read
 * successfully. Returns whether every selected stream completed.
 */
export async function read(
  config: ConnectorConfig,
  selected: SelectedStreams,
  amplitude: Amplitude,
  writer: ProtocolWriter,
  options: ReadOptions,
): Promise<boolean> {
  const needed = config.chartIds.filter((id) => selected.metadata || selected.charts.has(id));
  if (selected.from === "discovered") {
    await writer.log(
      "INFO",
      "The catalog is discover's output, not a configured catalog: every stream is read, with full refresh.",
    );
  }
  if (!selected.metadata && selected.charts.size === 0) {
    await writer.log("WARN", `The catalog selects no stream: nothing to read. ${CATALOG_RECIPE}`);
    return true;
  }
  const streams = new Map(
    [...selected.charts].map((id) => [id, new StreamLifecycle(writer, chartStreamName(id))]),
  );
  const spool = await openSpool(options.spoolFolders, writer);
  const waits = new WaitReport(writer, options.progressEveryMs);
  const downloads = new ChartDownloads(needed, config.maxConcurrentRequests, async (chartId) => {
    const stream = streams.get(chartId);
    await stream?.started();
    waits.requesting(chartId);
    try {
      await writer.log(
        "INFO",
        `Chart ${chartId}: requesting ${amplitude.dashboard.chartUrl(chartId)}`,
      );
      const body = await amplitude.dashboard.downloadChart(chartId, spool, {
        onAttempt: () => waits.requesting(chartId),
        onRetry: async (notice) => {
          waits.retrying(chartId, notice);
          if (notice.status === 429) await stream?.rateLimited(notice);
        },
      });
      await writer.log("INFO", describeDownload(body));
      return body;
    } finally {
      waits.done(chartId);
    }
  });

  let allComplete = true;
  const summaries = new Map<string, ChartSummary>();
  const unreported = new Map<string, ConnectorError>();
  waits.start();
  try {
    for (let ended = await downloads.next(); ended; ended = await downloads.next()) {
      const { chartId } = ended;
      const readChart = async (
        consume: (chart: ChartExport) => Promise<number | undefined>,
      ): Promise<void> => {
        summaries.set(chartId, await readOneChart(chartId, await ended.body, writer, consume));
      };
      const stream = streams.get(chartId);
      if (stream) {
        const complete = await stream.run((emit) => readChart((chart) => emitRecords(chart, emit)));
        allComplete &&= complete;
      } else {
        // Only charts_metadata wants this chart: a failure is reported on that stream.
        try {
          await readChart(skipRecords);
        } catch (error) {
          unreported.set(chartId, asConnectorError(error, `Chart ${chartId} failed`));
        }
      }
      await downloads.release(ended);
    }
    if (selected.metadata) {
      const stream = new StreamLifecycle(writer, METADATA_STREAM);
      const complete = await stream.run(async (emit) => {
        // In config order, whatever order the charts came in.
        const read = needed.filter((id) => summaries.has(id));
        const details = amplitude.developer
          ? await chartDetails(read, amplitude.developer, config.maxConcurrentRequests, {
              log: (level, message) => writer.log(level, message),
              onRetry: async (notice) => {
                if (notice.status === 429) await stream.rateLimited(notice);
              },
            })
          : undefined;
        for (const chartId of read) {
          const record = chartMetadata(
            summaries.get(chartId) as ChartSummary,
            details?.get(chartId),
          );
          await emit.records(metadataRecordLine(record), 1);
        }
        const failures = needed.flatMap((id) => unreported.get(id) ?? []);
        if (failures.length > 0) throw combine(failures);
      });
      allComplete &&= complete;
    }
  } finally {
    waits.stop();
    await spool.close();
  }
  return allComplete;
}

/** The spool, in the first folder that can be written; in memory, with a WARN, if none. */
async function openSpool(folders: string[], writer: ProtocolWriter): Promise<BodySpool> {
  const { spool, skipped } = await BodySpool.create(folders);
  const tried = skipped.map(({ folder, why }) => `${folder} (${why})`).join(", ");
  if (spool.dir === undefined) {
    await writer.log(
      "WARN",
      `No folder to spool chart bodies in could be written (tried ${tried}): each chart's body is held in memory ` +
        "until its records are written, so memory grows with the charts' size. Mount a writable volume at /tmp " +
        "(or set TMPDIR to a writable folder) to keep memory flat.",
    );
  } else if (skipped.length > 0) {
    await writer.log("INFO", `Chart bodies wait in ${spool.dir}; not writable: ${tried}.`);
  }
  return spool;
}

/** What charts_metadata needs of a chart that was read: its preamble and table shape. */
type ChartSummary = Pick<ChartExport, "chartId" | "preamble" | "shape">;

/**
 * One chart, from its downloaded body to what its metadata is made from: its table is
 * read whole by `consume` (which emits its records, or not), so that the metadata of a
 * chart that does not read cleanly is never emitted.
 */
async function readOneChart(
  chartId: string,
  body: SpooledBody,
  writer: ProtocolWriter,
  consume: (chart: ChartExport) => Promise<number | undefined>,
): Promise<ChartSummary> {
  const started = Date.now();
  const chart = await readChartExport(body);
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
    return { chartId, preamble: chart.preamble, shape: chart.shape };
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
