import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AmplitudeClient } from "../amplitude/client.js";
import type { SelectedStreams } from "../config/catalog.js";
import type { ConnectorConfig } from "../config/config.js";
import { asConnectorError, ConnectorError } from "../errors.js";
import { recordLine } from "../protocol/messages.js";
import type { ProtocolWriter } from "../protocol/writer.js";
import { chartStreamName, METADATA_STREAM } from "../streams/schemas.js";
import type { ChartMetadata } from "../transform/metadata.js";
import { ChartDownloads } from "./chart-downloads.js";
import { describeDownload, exportChart } from "./chart-export.js";
import { runStream } from "./stream-lifecycle.js";

/**
 * The read: each needed chart is downloaded once (ahead, up to max_concurrent_requests
 * at a time) and its stream emitted in config order; `charts_metadata` comes last,
 * since it holds only the charts that were read successfully. Returns whether every
 * selected stream completed.
 */
export async function read(
  config: ConnectorConfig,
  selected: SelectedStreams,
  client: AmplitudeClient,
  writer: ProtocolWriter,
): Promise<boolean> {
  const needed = config.chartIds.filter((id) => selected.metadata || selected.charts.has(id));
  const dir = await mkdtemp(join(tmpdir(), "amplitude-charts-"));
  const downloads = new ChartDownloads(
    needed,
    config.maxConcurrentRequests,
    async (chartId, index) => {
      await writer.log("INFO", `Chart ${chartId}: requesting ${client.chartUrl(chartId)}`);
      const chart = await client.downloadChart(chartId, join(dir, `chart-${index}.body`));
      await writer.log("INFO", describeDownload(chart));
      return chart;
    },
  );

  let allComplete = true;
  const metadata: ChartMetadata[] = [];
  const unreported: ConnectorError[] = [];
  try {
    for (const chartId of needed) {
      if (selected.charts.has(chartId)) {
        const complete = await runStream(writer, chartStreamName(chartId), async (emit) => {
          metadata.push(await exportChart(await downloads.get(chartId), writer, emit));
        });
        allComplete &&= complete;
      } else {
        // Only charts_metadata wants this chart: a failure is reported on that stream.
        try {
          metadata.push(await exportChart(await downloads.get(chartId), writer));
        } catch (error) {
          unreported.push(asConnectorError(error, `Chart ${chartId} failed`));
        }
      }
      await downloads.release(chartId);
    }
    if (selected.metadata) {
      const complete = await runStream(writer, METADATA_STREAM, async (emit) => {
        for (const record of metadata) {
          await emit.records(recordLine(METADATA_STREAM, record), 1);
        }
        if (unreported.length > 0) throw combine(unreported);
      });
      allComplete &&= complete;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return allComplete;
}

function combine(errors: ConnectorError[]): ConnectorError {
  const [first] = errors;
  if (errors.length === 1 && first) return first;
  return new ConnectorError(
    first?.failureType ?? "system_error",
    `${errors.length} charts could not be read: ${errors.map((e) => e.message).join(" | ")}`,
  );
}
