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
    if (!this.out.write(chunk)) await waitForDrain(this.out);
  }

  /**
   * Flushes and waits for a pending drain. Whatever the stream still buffers after that,
   * Node writes out before the process exits, since we never call process.exit().
   */
  async close(): Promise<void> {
    await this.flush();
    if (this.out.writableNeedDrain) await waitForDrain(this.out);
  }
}

function waitForDrain(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      out.off("error", onError);
      resolve();
    };
    const onError = (error: Error): void => {
      out.off("drain", onDrain);
      reject(error);
    };
    out.once("drain", onDrain);
    out.once("error", onError);
  });
}
