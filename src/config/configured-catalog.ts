import { configError } from "../errors.js";
import { isObject } from "../json.js";
import type { SyncMode } from "../protocol/messages.js";
import { chartStreamName } from "../streams/chart-stream.js";
import { METADATA_STREAM } from "../streams/metadata-stream.js";
import type { ConnectorConfig } from "./config.js";

/** What a catalog asks this read to produce. */
export interface SelectedStreams {
  /** Chart IDs whose `chart_{id}` stream is selected, with the sync mode asked for. */
  charts: Map<string, SyncMode>;
  metadata: boolean;
  /**
   * `configured`: a configured catalog, as the platform writes it. `discovered`: discover's
   * output (or its catalog), read as "every stream, full refresh".
   */
  from: "configured" | "discovered";
}

/** A catalog of either kind (configured, or discover's), by its look: where a config was expected. */
export const looksLikeCatalog = (raw: unknown): boolean =>
  isObject(raw) && (Array.isArray(raw.streams) || raw.type === "CATALOG");

/** The recipe every catalog error ends with. */
export const CATALOG_RECIPE =
  "To read every stream, pass discover's output as it is (discover --config CONFIG > catalog.json); " +
  "to read some, keep those streams in a configured catalog: see Setup guide > 'A configured catalog' in docs/amplitude-charts.md.";

/**
 * What a --catalog file holds: a configured catalog (every stream must be one of this
 * config's, with a sync mode it supports: incremental for chart streams only; unset optionals
 * may be null, as the acceptance tests write them), or discover's output (its CATALOG message, its catalog, or its lines), read as
 * every stream with full refresh. Every problem is reported at once, in one config error
 * that says how to make a catalog that works.
 */
export function selectStreams(raw: unknown, config: ConnectorConfig): SelectedStreams {
  const byName = new Map<string, string | null>(
    config.chartIds.map((id) => [chartStreamName(id), id]),
  );
  byName.set(METADATA_STREAM, null);
  const known = [...byName.keys()].join(", ");
  const invalid = (why: string) =>
    configError(`Invalid catalog: ${why}. This config's streams are ${known}. ${CATALOG_RECIPE}`);

  const discovered = discoveredStreams(raw);
  if (discovered) {
    return pick(
      discovered.map((name) => ({ name, syncMode: "full_refresh" })),
      "discovered",
      byName,
      invalid,
    );
  }
  const streams = isObject(raw) ? raw.streams : undefined;
  if (!Array.isArray(streams)) throw invalid(notACatalog(raw));
  const entries = streams.map((entry: unknown, index) => {
    const stream = isObject(entry) && isObject(entry.stream) ? entry.stream : undefined;
    const name = stream?.name;
    return {
      name: typeof name === "string" ? name : undefined,
      index,
      syncMode: isObject(entry) ? (entry.sync_mode ?? null) : null,
    };
  });
  return pick(entries, "configured", byName, invalid);
}

/** The stream names of discover's output, in any of the forms a user may save it; else undefined. */
function discoveredStreams(raw: unknown): string[] | undefined {
  // Several JSON lines (the output with LOG lines kept): the CATALOG among them.
  if (Array.isArray(raw)) {
    const message: unknown = raw.find((m) => isObject(m) && m.type === "CATALOG");
    return message === undefined ? undefined : discoveredStreams(message);
  }
  if (!isObject(raw)) return undefined;
  const catalog = raw.type === "CATALOG" && isObject(raw.catalog) ? raw.catalog : raw;
  const streams = catalog.streams;
  // An AirbyteCatalog's streams carry their name at the top; a configured catalog's, under `stream`.
  if (!Array.isArray(streams) || streams.length === 0) return undefined;
  if (!streams.every((s) => isObject(s) && typeof s.name === "string" && !("stream" in s))) {
    return undefined;
  }
  return streams.map((s) => (s as { name: string }).name);
}

/** What the file is instead of a catalog, when it is recognisably something else. */
function notACatalog(raw: unknown): string {
  if (isObject(raw) && typeof raw.type === "string") {
    const command: Record<string, string> = {
      SPEC: "spec",
      CONNECTION_STATUS: "check",
      RECORD: "read",
      LOG: "a command",
      TRACE: "a command",
      STATE: "read",
    };
    return `it holds a ${raw.type} message (the output of ${command[raw.type] ?? "a command"}), not a catalog`;
  }
  if (isObject(raw) && "api_key" in raw) return "it is a config file, not a catalog";
  return 'it must be a configured catalog (a JSON object with a "streams" array) or discover\'s output';
}

function pick(
  entries: { name: string | undefined; index?: number; syncMode: unknown }[],
  from: SelectedStreams["from"],
  byName: Map<string, string | null>,
  invalid: (why: string) => Error,
): SelectedStreams {
  const selected: SelectedStreams = { charts: new Map(), metadata: false, from };
  const problems: string[] = [];
  const foreign: string[] = [];
  for (const { name, index, syncMode } of entries) {
    if (name === undefined) {
      problems.push(`streams[${index ?? "?"}] has no stream.name`);
    } else if (!byName.has(name)) {
      foreign.push(name);
    } else {
      const chartId = byName.get(name);
      // Chart streams keep their history incrementally; charts_metadata is full refresh only.
      const modes: unknown[] =
        chartId === null || chartId === undefined
          ? ["full_refresh"]
          : ["full_refresh", "incremental"];
      if (!modes.includes(syncMode)) {
        problems.push(
          `stream "${name}" asks for sync_mode ${JSON.stringify(syncMode)}, but it supports ${modes.join(" and ")}`,
        );
      } else if (chartId === null || chartId === undefined) selected.metadata = true;
      else selected.charts.set(chartId, syncMode as SyncMode);
    }
  }
  if (foreign.length > 0) {
    const names = foreign.map((n) => `"${n}"`).join(", ");
    problems.unshift(
      foreign.length === 1
        ? `stream ${names} is not a stream of this config (a catalog made for other chart_ids?)`
        : `streams ${names} are not streams of this config (a catalog made for other chart_ids?)`,
    );
  }
  if (problems.length > 0) throw invalid(problems.join("; "));
  return selected;
}
