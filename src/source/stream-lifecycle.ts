import { asConnectorError, Interrupted, stackOf } from "../errors.js";
import { errorTrace, streamState, streamStatus, type StreamState } from "../protocol/messages.js";
import type { ProtocolWriter } from "../protocol/writer.js";

/** What a stream's body may do: emit record lines (the first one says RUNNING). */
export interface StreamEmitter {
  records(lines: string, count: number): Promise<void>;
}

/**
 * One stream's statuses and state, in one place: STARTED when its work starts; RUNNING
 * with a RATE_LIMITED reason each time Amplitude makes it wait; RUNNING before its first
 * record; the records; one STATE with the record count; COMPLETE. A failure gives
 * INCOMPLETE and an ERROR trace for the stream instead, and the read goes on.
 */
export class StreamLifecycle {
  private hasStarted = false;
  private running = false;
  private count = 0;

  constructor(
    private readonly writer: ProtocolWriter,
    readonly stream: string,
  ) {}

  /** Its work starts (its chart's download begins, or its turn comes); said once. */
  async started(): Promise<void> {
    if (this.hasStarted) return;
    this.hasStarted = true;
    await this.writer.message(streamStatus(this.stream, "STARTED"));
  }

  /**
   * Amplitude answered 429: the platform shows the stream as rate limited until the next
   * attempt. The status is dated when the wait began, so it says exactly how long it is.
   */
  async rateLimited(wait: { at: number; nextAttemptAt: number }): Promise<void> {
    await this.started();
    await this.writer.message(
      streamStatus(
        this.stream,
        "RUNNING",
        [{ type: "RATE_LIMITED", rate_limited: { quota_reset: Math.round(wait.nextAttemptAt) } }],
        wait.at,
      ),
    );
  }

  /**
   * Runs the stream's body, which may return the stream's state (its cursor) for the STATE
   * after its records; returns whether the stream completed.
   */
  async run(body: (emit: StreamEmitter) => Promise<StreamState | undefined>): Promise<boolean> {
    await this.started();
    const emit: StreamEmitter = {
      records: async (lines, n) => {
        await this.sayRunning();
        this.count += n;
        await this.writer.records(lines);
      },
    };
    try {
      const state = await body(emit);
      await this.sayRunning(); // a stream with no records still passes through RUNNING
      await this.writer.flush();
      await this.writer.message(streamState(this.stream, this.count, state ?? {}));
      await this.writer.message(streamStatus(this.stream, "COMPLETE"));
      return true;
    } catch (thrown) {
      // Stopped from outside: not this stream's failure; main() says why the read stopped.
      if (thrown instanceof Interrupted) throw thrown;
      const error = asConnectorError(thrown, `Stream ${this.stream} failed unexpectedly`);
      await this.writer.flush();
      await this.writer.log(
        "ERROR",
        `Stream ${this.stream} failed after ${this.count} records: ${error.message}`,
      );
      await this.writer.message(streamStatus(this.stream, "INCOMPLETE"));
      await this.writer.message(
        errorTrace(error.failureType, error.message, {
          internalMessage: error.internalMessage,
          stackTrace: stackOf(thrown),
          stream: this.stream,
        }),
      );
      return false;
    }
  }

  private async sayRunning(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.writer.message(streamStatus(this.stream, "RUNNING"));
  }
}
