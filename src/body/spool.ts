import { createWriteStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/**
 * Where chart bodies wait between their download and their records, how they are read
 * back, and when they go: the whole life of a spooled body, in one module.
 *
 * A body is saved whole before anyone parses it, so a retried or broken transfer never
 * replays or drops a record. Each read has one folder; each body one file in it, deleted
 * when its stream is done (`discard`), and the folder with whatever is left at the end
 * of the read (`close`).
 */
export class BodySpool {
  private count = 0;

  private constructor(private readonly dir: string) {}

  static async create(): Promise<BodySpool> {
    return new BodySpool(await mkdtemp(join(tmpdir(), "amplitude-charts-")));
  }

  /** Where one chart's body is written, attempt by attempt. */
  writer(chartId: string): BodyWriter {
    const path = join(this.dir, `chart-${this.count++}.body`);
    return {
      // Each attempt truncates the file: only the successful one is kept.
      attempt: () => createWriteStream(path),
      complete: async ({ contentType, elapsedMs }) => {
        const { size } = await stat(path);
        return new FileBody(chartId, path, size, contentType, elapsedMs);
      },
    };
  }

  /** Removes the folder and any body still in it (a read that failed part-way). */
  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** One chart's body, being received. */
export interface BodyWriter {
  /** An empty destination for one attempt; a retry starts over. */
  attempt(): Writable;
  /** The last attempt got the whole body: it can be read back. */
  complete(meta: { contentType: string; elapsedMs: number }): Promise<SpooledBody>;
}

/** A chart's whole body, received and waiting to be read. */
export interface SpooledBody {
  readonly chartId: string;
  readonly bytes: number;
  readonly contentType: string;
  /** How long the successful attempt took, request to last byte. */
  readonly elapsedMs: number;
  /** The body's text, decoded as UTF-8, one chunk at a time, read only when asked for. */
  text(): AsyncGenerator<string>;
  /** Its first and last characters, for a look before parsing and for error messages. */
  ends(): Promise<{ head: string; tail: string }>;
  /** The body is no longer needed. */
  discard(): Promise<void>;
}

const READ_CHUNK = 1 << 16;
const ENDS_BYTES = 512;

class FileBody implements SpooledBody {
  constructor(
    readonly chartId: string,
    private readonly path: string,
    readonly bytes: number,
    readonly contentType: string,
    readonly elapsedMs: number,
  ) {}

  /**
   * Read on demand rather than through a read stream: a read stream reads ahead and hands
   * over everything it has buffered, joined, in strings of 128 kB and more that outlive
   * young-generation GCs. On a 14.6M-record chart that moved 467 MB to the old generation
   * (--trace-gc-nvp); read on demand, 4 MB. The file stays open until the text is read to
   * its end or the generator is returned.
   */
  async *text(): AsyncGenerator<string> {
    const file = await open(this.path, "r");
    try {
      const buffer = Buffer.allocUnsafe(READ_CHUNK);
      const decoder = new StringDecoder("utf8");
      for (;;) {
        const { bytesRead } = await file.read(buffer, 0, READ_CHUNK, null);
        if (bytesRead === 0) break;
        const text = decoder.write(buffer.subarray(0, bytesRead));
        if (text !== "") yield text;
      }
      const rest = decoder.end();
      if (rest !== "") yield rest;
    } finally {
      await file.close();
    }
  }

  async ends(): Promise<{ head: string; tail: string }> {
    const file = await open(this.path, "r");
    try {
      const size = Math.min(this.bytes, ENDS_BYTES);
      const head = Buffer.alloc(size);
      const tail = Buffer.alloc(size);
      await file.read(head, 0, size, 0);
      await file.read(tail, 0, size, Math.max(this.bytes - size, 0));
      return { head: head.toString("utf8"), tail: tail.toString("utf8") };
    } finally {
      await file.close();
    }
  }

  async discard(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
