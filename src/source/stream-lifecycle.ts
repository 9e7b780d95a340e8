import { asConnectorError, stackOf } from "../errors.js";
import { errorTrace, streamState, streamStatus } from "../protocol/messages.js";
import type { ProtocolWriter } from "../protocol/writer.js";

/** What a stream's body may do: say it is running, and emit record lines. */
export interface StreamEmitter {
  running(): Promise<void>;
  records(lines: string, count: number): Promise<void>;
}

/**
 * One stream, start to end, in one place: STARTED; RUNNING before the first record;
 * the records; one STATE with the record count; COMPLETE. A failure gives INCOMPLETE
 * and an ERROR trace for the stream instead, and the caller goes on with the next one.
 * Returns whether the stream completed.
 */
export async function runStream(
  writer: ProtocolWriter,
  stream: string,
  body: (emit: StreamEmitter) => Promise<void>,
): Promise<boolean> {
  await writer.message(streamStatus(stream, "STARTED"));
  let running = false;
  let count = 0;
  const emit: StreamEmitter = {
    running: async () => {
      if (running) return;
      running = true;
      await writer.message(streamStatus(stream, "RUNNING"));
    },
    records: async (lines, n) => {
      if (!running) await emit.running();
      count += n;
      await writer.records(lines);
    },
  };
  try {
    await body(emit);
    await emit.running(); // a stream with no records still passes through RUNNING
    await writer.flush();
    await writer.message(streamState(stream, count));
    await writer.message(streamStatus(stream, "COMPLETE"));
    return true;
  } catch (thrown) {
    const error = asConnectorError(thrown, `Stream ${stream} failed unexpectedly`);
    await writer.flush();
    await writer.log("ERROR", `Stream ${stream} failed after ${count} records: ${error.message}`);
    await writer.message(streamStatus(stream, "INCOMPLETE"));
    await writer.message(
      errorTrace(error.failureType, error.message, {
        internalMessage: error.internalMessage,
        stackTrace: stackOf(thrown),
        stream,
      }),
    );
    return false;
  }
}
