import { periodStartOf } from "../csv/cells.js";
import { isObject } from "../json.js";

/** What `--state` says: each chart stream's cursor, and what in it could not be read. */
export interface InputState {
  /** Stream name -> period_start (a local timestamp), for the streams whose state was read. */
  cursors: Map<string, string>;
  /** One WARN each: what was not read, and that the stream is read as if it had no state. */
  warnings: string[];
}

const IGNORED = "it is read as if it had no state (every period the chart shows)";

/**
 * The cursors of a state as the platform passes it: a list of STREAM state messages, or
 * one (`{"type": "STREAM", "stream": {"stream_descriptor": {"name"}, "stream_state":
 * {"period_start": "YYYY-MM-DDTHH:MM:SS"}}}`). A state it cannot read never fails a read
 * and never loses data: what it cannot read is a warning, and the stream it concerns is read
 * whole. `streams` are the config's stream names; `cursorless` those without a cursor
 * (charts_metadata), whose state is not read.
 */
export function readState(
  raw: unknown,
  streams: ReadonlySet<string>,
  cursorless: ReadonlySet<string>,
): InputState {
  const state: InputState = { cursors: new Map(), warnings: [] };
  if (raw === undefined) return state;
  const messages = Array.isArray(raw) ? raw : [raw];
  messages.forEach((message: unknown, index) => {
    const where = Array.isArray(raw) ? `The state's entry ${index}` : "The state";
    if (!isObject(message) || message.type !== "STREAM" || !isObject(message.stream)) {
      const kind = isObject(message) && typeof message.type === "string" ? message.type : "other";
      state.warnings.push(
        `${where} is not a STREAM state (type ${kind}): it is ignored, and the streams it may be for are ` +
          "read as if they had no state (every period the charts show). This connector reads and writes per-stream states.",
      );
      return;
    }
    const descriptor = message.stream.stream_descriptor;
    const name = isObject(descriptor) ? descriptor.name : undefined;
    if (typeof name !== "string") {
      state.warnings.push(`${where} names no stream: it is ignored.`);
      return;
    }
    if (!streams.has(name)) {
      state.warnings.push(
        `The state of stream "${name}" is ignored: ${name} is not a stream of this config (a state from other chart_ids?).`,
      );
      return;
    }
    if (cursorless.has(name)) return;
    const streamState = message.stream.stream_state;
    const cursor = isObject(streamState) ? streamState.period_start : undefined;
    if (cursor === null || (isObject(streamState) && !("period_start" in streamState))) return;
    const period = typeof cursor === "string" ? periodStartOf(cursor) : null;
    if (period === null || Number.isNaN(Date.parse(`${period}Z`))) {
      state.warnings.push(
        `The state of stream ${name} cannot be read (its period_start is ${JSON.stringify(cursor ?? streamState)}, ` +
          `not a timestamp YYYY-MM-DDTHH:MM:SS): ${IGNORED}.`,
      );
      return;
    }
    state.cursors.set(name, period);
  });
  return state;
}
