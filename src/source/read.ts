import type { Amplitude } from "../amplitude/connect.js";
import { exportCapWarning, readChartExport, type ChartExport } from "../body/chart-export.js";
import { BodySpool, type SpooledBody } from "../body/spool.js";
import type { ConnectorConfig } from "../config/config.js";
import { CATALOG_RECIPE, type SelectedStreams } from "../config/configured-catalog.js";
import { asConnectorError, Interrupted } from "../errors.js";
import type { RetryNotice } from "../http/http-client.js";
import type { Log } from "../protocol/messages.js";
import type { ProtocolWriter } from "../protocol/writer.js";
import {
  chartRecordLines,
  chartState,
  chartStreamName,
  lookbackFrom,
  PeriodFilter,
} from "../streams/chart-stream.js";
import { METADATA_STREAM, MetadataRecords } from "../streams/metadata-stream.js";
import { chartDetails } from "./chart-details.js";
import { ChartDownloads, type EndedDownload } from "./chart-downloads.js";
import { WaitReport } from "./progress.js";
import { StreamLifecycle, type StreamEmitter } from "./stream-lifecycle.js";

/** Where the read's bodies may wait, and how often it reports waiting on Amplitude. */
export interface ReadOptions {
  /** Folders for the spool, in order of preference (see spool.ts). */
  spoolFolders: string[];
  progressEveryMs: number;
  /** Aborted when the read must stop (a signal, stdout closed): it stops between lines. */
  signal?: AbortSignal;
  /** The input state's cursors, by stream name (incremental streams resume from them). */
  cursors?: ReadonlyMap<string, string>;
}

/** A selected chart stream: its statuses and state, and the cursor it resumes from. */
interface ChartStreamRead {
  lifecycle: StreamLifecycle;
  /** Incremental, with a state: the state's period_start. */
  cursor: string | undefined;
}

/**
 * The read: a loop over streams. Each chart needed is downloaded once, ahead of the
 * streams being written (max_concurrent_requests at a time); its stream is emitted when
 * its download has ended, in the order they end. `charts_metadata` comes last: it
 * describes the charts that were read. Returns whether every selected stream completed.
 */
export async function read(
  config: ConnectorConfig,
  selected: SelectedStreams,
  amplitude: Amplitude,
  writer: ProtocolWriter,
  options: ReadOptions,
): Promise<boolean> {
  const log: Log = (level, message) => writer.log(level, message);
  if (selected.from === "discovered") {
    await log(
      "INFO",
      "The catalog is discover's output, not a configured catalog: every stream is read, with full refresh.",
    );
  }
  if (!selected.metadata && selected.charts.size === 0) {
    await log("WARN", `The catalog selects no stream: nothing to read. ${CATALOG_RECIPE}`);
    return true;
  }
  const chartIds = config.chartIds.filter((id) => selected.metadata || selected.charts.has(id));
  const chartStreams = new Map<string, ChartStreamRead>(
    [...selected.charts].map(([id, mode]) => {
      const name = chartStreamName(id);
      const cursor = mode === "incremental" ? options.cursors?.get(name) : undefined;
      return [id, { lifecycle: new StreamLifecycle(writer, name), cursor }];
    }),
  );
  const metadata = selected.metadata ? new MetadataRecords(chartIds) : undefined;
  const { signal } = options;
  const spool = await openSpool(options.spoolFolders, log);
  const waits = new WaitReport(log, options.progressEveryMs);
  // Ends the downloads still running when the read ends early (a signal, a failure).
  const downloadsStop = new AbortController();
  const downloads = new ChartDownloads(chartIds, config.maxConcurrentRequests, (chartId) =>
    download(
      chartId,
      { amplitude, spool, waits, log, signal: downloadsStop.signal },
      chartStreams.get(chartId)?.lifecycle,
    ),
  );

  let complete = true;
  waits.start();
  try {
    for await (const chart of downloads) {
      signal?.throwIfAborted();
      const stream = chartStreams.get(chart.chartId);
      if (stream) {
        complete =
          (await stream.lifecycle.run(async (emit) => {
            const filter = await periodFilter(
              chart.chartId,
              stream.cursor,
              config.lookbackDays,
              log,
            );
            await readChart(chart, log, metadata, signal, { emit, filter });
            return chartState(filter, stream.cursor);
          })) && complete;
      } else {
        // Only charts_metadata wants this chart: a failure is reported on that stream.
        await readChart(chart, log, metadata, signal).catch((error: unknown) => {
          if (error instanceof Interrupted) throw error;
          metadata?.failed(chart.chartId, asConnectorError(error, `Chart ${chart.chartId} failed`));
        });
      }
    }
    signal?.throwIfAborted();
    if (metadata) {
      const stream = new StreamLifecycle(writer, METADATA_STREAM);
      complete =
        (await stream.run(async (emit) => {
          const details =
            amplitude.developer &&
            (await chartDetails(
              metadata.readIds(),
              amplitude.developer,
              config.maxConcurrentRequests,
              {
                log,
                onRetry: rateLimitedOn(stream),
              },
            ));
          for (const line of metadata.lines(details)) await emit.records(line, 1);
        })) && complete;
    }
  } finally {
    downloadsStop.abort();
    await downloads.stop();
    waits.stop();
    await spool.close();
  }
  return complete;
}

/** What a chart's download needs besides the chart. */
interface DownloadContext {
  amplitude: Amplitude;
  spool: BodySpool;
  waits: WaitReport;
  log: Log;
  signal: AbortSignal;
}

/**
 * One chart's download into the spool; its stream (if selected) is STARTED, and shown rate
 * limited. A body that cannot be written where the spool keeps bodies (a full disk) is
 * downloaded again where the spool moves on to, never retried as Amplitude's failure.
 */
async function download(
  chartId: string,
  { amplitude, spool, waits, log, signal }: DownloadContext,
  stream: StreamLifecycle | undefined,
): Promise<SpooledBody> {
  await stream?.started();
  waits.requesting(chartId);
  try {
    await log("INFO", `Chart ${chartId}: requesting ${amplitude.dashboard.chartUrl(chartId)}`);
    for (;;) {
      const writer = spool.writer(chartId);
      try {
        const body = await amplitude.dashboard.downloadChart(chartId, writer, {
          signal,
          onAttempt: () => waits.requesting(chartId),
          onRetry: async (notice) => {
            waits.retrying(chartId, notice);
            if (stream) await rateLimitedOn(stream)(notice);
          },
        });
        await log("INFO", describeDownload(body));
        return body;
      } catch (error) {
        const movedOn = await spool.moveOn(writer, error);
        if (movedOn === undefined) throw error;
        if (movedOn !== "") await log("WARN", `Chart ${chartId}: ${movedOn}`);
      }
    }
  } finally {
    waits.done(chartId);
  }
}

/** A retry's notice, shown to the platform when it is a rate limit (429). */
const rateLimitedOn =
  (stream: StreamLifecycle) =>
  async (notice: RetryNotice): Promise<void> => {
    if (notice.status === 429) await stream.rateLimited(notice);
  };

/**
 * Which of a chart's records its stream emits: every one, unless it resumes from a state
 * (incremental), then those from `lookbackDays` before the state's cursor on, and those
 * without a period. Says which.
 */
async function periodFilter(
  chartId: string,
  cursor: string | undefined,
  lookbackDays: number,
  log: Log,
): Promise<PeriodFilter> {
  if (cursor === undefined) return new PeriodFilter();
  const since = lookbackFrom(cursor, lookbackDays);
  await log(
    "INFO",
    `Chart ${chartId}: incremental, from its state (period_start ${cursor}): the periods from ${since} on ` +
      `(lookback_days ${lookbackDays}), and the values that belong to no period.`,
  );
  return new PeriodFilter(since);
}

/**
 * One chart whose download has ended, read to its end: the records `filter` keeps go to
 * `emit` (when its stream is selected), its summary to charts_metadata. A chart that does
 * not read cleanly is never described in charts_metadata.
 */
async function readChart(
  download: EndedDownload,
  log: Log,
  metadata: MetadataRecords | undefined,
  signal: AbortSignal | undefined,
  stream?: { emit: StreamEmitter; filter: PeriodFilter },
): Promise<void> {
  const started = Date.now();
  const chart = await readChartExport(await download.body);
  try {
    const { chartId, shape } = chart;
    await log(
      "INFO",
      `Chart ${chartId}: table with ${shape.labelHeaders.length + shape.segments.length} columns ` +
        `(labels: ${shape.labelHeaders.join(", ")}; ${shape.segments.length} value columns).`,
    );
    const records = stream ? await emitRecords(chart, stream, signal) : await skipRecords(chart);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    await log(
      "INFO",
      `Chart ${chartId}: ${chart.rowCount} rows x ${shape.segments.length} value columns` +
        (stream ? `, ${records} records emitted in ${seconds} s.` : `, read in ${seconds} s.`),
    );
    for (const warning of [noValuesWarning(chart), exportCapWarning(chartId, chart.rowCount)]) {
      if (warning) await log("WARN", warning);
    }
    metadata?.read(chart);
  } finally {
    await chart.close();
  }
}

/** A table with data rows but no value column gives no record: never in silence. */
function noValuesWarning({ chartId, rowCount, shape }: ChartExport): string | undefined {
  if (rowCount === 0 || shape.segments.length > 0) return undefined;
  return (
    `Chart ${chartId}: its table has ${rowCount} rows, but no column of its header ` +
    `(${shape.labelHeaders.map((h) => JSON.stringify(h)).join(", ")}) could be read as values, so it gave no record. ` +
    "Open the chart in Amplitude and check that it shows numbers; if it does, report this header " +
    "(docs/amplitude-charts.md, 'How charts become rows', says how columns are read)."
  );
}

async function emitRecords(
  chart: ChartExport,
  { emit, filter }: { emit: StreamEmitter; filter: PeriodFilter },
  signal: AbortSignal | undefined,
): Promise<number> {
  let records = 0;
  for await (const [lines, count] of chartRecordLines(chart, filter)) {
    signal?.throwIfAborted();
    await emit.records(lines, count);
    records += count;
  }
  return records;
}

async function skipRecords(chart: ChartExport): Promise<number> {
  const rows = chart.rows();
  while (!(await rows.next()).done); // to the end, which counts the rows, emitting none
  return 0;
}

/** The spool, in the first folder that can be written; in memory, with a WARN, if none. */
async function openSpool(folders: string[], log: Log): Promise<BodySpool> {
  const { spool, skipped } = await BodySpool.create(folders);
  const tried = skipped.map(({ folder, why }) => `${folder} (${why})`).join(", ");
  if (spool.dir === undefined) {
    await log(
      "WARN",
      `No folder to spool chart bodies in could be written (tried ${tried}): each chart's body is held in memory ` +
        "until its records are written, so memory grows with the charts' size. Mount a writable volume at /tmp " +
        "(or set TMPDIR to a writable folder) to keep memory flat.",
    );
  } else if (skipped.length > 0) {
    await log("INFO", `Chart bodies wait in ${spool.dir}; not writable: ${tried}.`);
  }
  return spool;
}

/** The chart's download, as the LOG line a user follows. */
function describeDownload(body: SpooledBody): string {
  const size =
    body.bytes >= 1e6
      ? `${(body.bytes / 1e6).toFixed(1)} MB`
      : `${(body.bytes / 1e3).toFixed(1)} kB`;
  return `Chart ${body.chartId}: received ${size} in ${(body.elapsedMs / 1000).toFixed(1)} s.`;
}
