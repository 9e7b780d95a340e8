import type { FailureType } from "../errors.js";

/** The Airbyte messages this connector prints (protocol v0, see airbyte_protocol.yaml). */
export type LogLevel = "FATAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE";
/** What code that only logs is given: a LOG message out, through the writer. */
export type Log = (level: "INFO" | "WARN", message: string) => Promise<void>;
export type StreamStatus = "STARTED" | "RUNNING" | "COMPLETE" | "INCOMPLETE";
/** Why a stream is RUNNING but not moving (protocol 0.11). */
export interface StreamStatusReason {
  type: "RATE_LIMITED";
  rate_limited: { quota_reset: number };
}
export type JsonSchema = Record<string, unknown>;

export interface StreamDescriptor {
  name: string;
}

export type SyncMode = "full_refresh" | "incremental";

export interface AirbyteStream {
  name: string;
  json_schema: JsonSchema;
  supported_sync_modes: SyncMode[];
  source_defined_primary_key: string[][];
  source_defined_cursor?: boolean;
  default_cursor_field?: string[];
  is_resumable: false;
}

/** A stream's state: what the next read resumes from (empty for a stream without a cursor). */
export type StreamState = Record<string, unknown>;

export type AirbyteMessage =
  | { type: "SPEC"; spec: Record<string, unknown> }
  | { type: "CATALOG"; catalog: { streams: AirbyteStream[] } }
  | {
      type: "CONNECTION_STATUS";
      connectionStatus: { status: "SUCCEEDED" | "FAILED"; message?: string };
    }
  | { type: "LOG"; log: { level: LogLevel; message: string; stack_trace?: string } }
  | {
      type: "RECORD";
      record: { stream: string; data: Record<string, unknown>; emitted_at: number };
    }
  | {
      type: "STATE";
      state: {
        type: "STREAM";
        stream: { stream_descriptor: StreamDescriptor; stream_state: StreamState };
        sourceStats: { recordCount: number };
      };
    }
  | { type: "TRACE"; trace: TraceMessage };

export type TraceMessage =
  | {
      type: "STREAM_STATUS";
      emitted_at: number;
      stream_status: {
        stream_descriptor: StreamDescriptor;
        status: StreamStatus;
        reasons?: StreamStatusReason[];
      };
    }
  | {
      type: "ERROR";
      emitted_at: number;
      error: {
        message: string;
        internal_message?: string;
        stack_trace?: string;
        failure_type: FailureType;
        stream_descriptor?: StreamDescriptor;
      };
    };

/** A stream of discover's catalog: full refresh unless it says more, never resumable. */
export const airbyteStream = (
  name: string,
  schema: JsonSchema,
  primaryKey: string[][],
): AirbyteStream => ({
  name,
  json_schema: schema,
  supported_sync_modes: ["full_refresh"],
  source_defined_primary_key: primaryKey,
  is_resumable: false,
});

/** A RECORD message as one JSON line (for records that are objects; chart records use the encoder). */
export const recordLine = (stream: string, data: object): string =>
  JSON.stringify({ type: "RECORD", record: { stream, data, emitted_at: Date.now() } }) + "\n";

export const logMessage = (level: LogLevel, message: string): AirbyteMessage => ({
  type: "LOG",
  log: { level, message },
});

export const streamStatus = (
  stream: string,
  status: StreamStatus,
  reasons?: StreamStatusReason[],
  emittedAt: number = Date.now(),
): AirbyteMessage => ({
  type: "TRACE",
  trace: {
    type: "STREAM_STATUS",
    emitted_at: emittedAt,
    stream_status: { stream_descriptor: { name: stream }, status, ...(reasons && { reasons }) },
  },
});

/** A stream's STATE with the records it emitted; a stream without a cursor has an empty state. */
export const streamState = (
  stream: string,
  recordCount: number,
  state: StreamState = {},
): AirbyteMessage => ({
  type: "STATE",
  state: {
    type: "STREAM",
    stream: { stream_descriptor: { name: stream }, stream_state: state },
    sourceStats: { recordCount },
  },
});

export function errorTrace(
  failureType: FailureType,
  message: string,
  extra: { internalMessage?: string; stackTrace?: string; stream?: string } = {},
): AirbyteMessage {
  return {
    type: "TRACE",
    trace: {
      type: "ERROR",
      emitted_at: Date.now(),
      error: {
        message,
        failure_type: failureType,
        ...(extra.internalMessage !== undefined && { internal_message: extra.internalMessage }),
        ...(extra.stackTrace !== undefined && { stack_trace: extra.stackTrace }),
        ...(extra.stream !== undefined && { stream_descriptor: { name: extra.stream } }),
      },
    },
  };
}
