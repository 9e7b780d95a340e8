import { configError } from "../errors.js";
import { chartStreamName } from "../streams/chart-stream.js";
import { METADATA_STREAM } from "../streams/metadata-stream.js";
import type { ConnectorConfig } from "./config.js";

/** What a configured catalog asks this read to produce. */
export interface SelectedStreams {
  /** Chart IDs whose `chart_{id}` stream is selected, in config order. */
  charts: Set<string>;
  metadata: boolean;
}

/**
 * Validates a configured catalog against the config: every stream must be one of
 * this config's streams and use full_refresh. Unset optionals may be null (as the
 * acceptance tests write them). All problems are reported in one config error.
 */
export function selectStreams(raw: unknown, config: ConnectorConfig): SelectedStreams {
  const streams = (raw as { streams?: unknown } | null)?.streams;
  if (typeof raw !== "object" || raw === null || !Array.isArray(streams)) {
    throw configError('Invalid catalog: it must be a JSON object with a "streams" array.');
  }
  const byName = new Map<string, string | null>(
    config.chartIds.map((id) => [chartStreamName(id), id]),
  );
  byName.set(METADATA_STREAM, null);

  const selected: SelectedStreams = { charts: new Set(), metadata: false };
  const problems: string[] = [];
  streams.forEach((entry: unknown, index) => {
    const item = entry as { stream?: { name?: unknown }; sync_mode?: unknown } | null;
    const name = item?.stream?.name;
    if (typeof name !== "string") {
      problems.push(`streams[${index}] has no stream.name`);
      return;
    }
    if (!byName.has(name)) {
      problems.push(`stream "${name}" is not a stream of this config`);
      return;
    }
    if (item?.sync_mode !== "full_refresh") {
      problems.push(
        `stream "${name}" asks for sync_mode ${JSON.stringify(item?.sync_mode ?? null)}, but only full_refresh is supported`,
      );
      return;
    }
    const chartId = byName.get(name);
    if (chartId === null || chartId === undefined) selected.metadata = true;
    else selected.charts.add(chartId);
  });
  if (problems.length > 0) {
    const known = [...byName.keys()].join(", ");
    throw configError(
      `Invalid catalog: ${problems.join("; ")}. This config's streams are ${known}; run discover again after changing chart_ids.`,
    );
  }
  return selected;
}
