import type { Writable } from "node:stream";
import type { SecretFilter } from "../secrets.js";
import { logMessage, type AirbyteMessage, type LogLevel } from "./messages.js";

/**
 * Lines are gathered up to this size before one write: fewer syscalls, same backpressure.
 * Small enough that the write's UTF-8 copy stays under glibc's mmap threshold (see
 * streams/chart-stream.ts).
 */
const BATCH_CHARS = 24 * 1024;

/**
 * The only owner of stdout. Messages arrive as objects (or, for records, as lines the
 * record encoder made) and leave as JSON lines. Every write respects backpressure:
 * when the pipe is full the caller waits for `drain`, so memory stays flat however
 * slow the reader is. Everything but records passes through the secret filter.
 */
export class ProtocolWriter {
  private pending = "";

  constructor(
    private readonly out: Writable,
    private readonly secrets: SecretFilter,
    /** A command that must stop no longer waits for a reader that does not read. */
    private readonly stop?: AbortSignal,
  ) {}

  /** Non-record messages are rare and a user may be watching: they go out at once. */
  async message(message: AirbyteMessage): Promise<void> {
    this.pending += this.secrets.redact(JSON.stringify(message)) + "\n";
    await this.flush();
  }

  log(level: LogLevel, text: string): Promise<void> {
    return this.message(logMessage(level, text));
  }

  /** Ready record lines, each ending in a newline (records carry no secrets). */
  async records(jsonLines: string): Promise<void> {
    this.pending += jsonLines;
    if (this.pending.length >= BATCH_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending === "") return;
    const chunk = this.pending;
    this.pending = "";
    // Its reader gone (EPIPE), stdout takes nothing more: main() sees the error and stops.
    if (this.out.destroyed) return;
    if (!this.out.write(chunk)) await waitForDrain(this.out, this.stop);
  }

  /**
   * Flushes and waits for a pending drain. Whatever the stream still buffers after that,
   * Node writes out before the process exits, since we never call process.exit().
   */
  async close(): Promise<void> {
    await this.flush();
    if (this.out.writableNeedDrain && !this.out.destroyed) await waitForDrain(this.out, this.stop);
  }
}

/**
 * Until the reader has taken what is pending, or is gone (an error: main() sees it), or the
 * command must stop (what is pending still goes out if the reader reads before the exit).
 */
function waitForDrain(out: Writable, stop: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (stop?.aborted) return resolve();
    const done = (): void => {
      out.off("drain", done);
      out.off("close", done);
      stop?.removeEventListener("abort", done);
      resolve();
    };
    out.once("drain", done);
    out.once("close", done);
    stop?.addEventListener("abort", done, { once: true });
  });
}
