import { createWriteStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/**
 * Where chart bodies wait between their download and their records, how they are read
 * back, and when they go: the whole life of a spooled body, in one module.
 *
 * A body is saved whole before anyone parses it, so a retried or broken transfer never
 * replays or drops a record. Bodies wait in a folder of the first writable of TMPDIR,
 * /tmp, /airbyte and the working directory; where none is writable (a read-only root
 * file system with no volume), in memory. When a body cannot be written where it waits
 * (a full disk), the spool moves on to the next folder, or to memory. A body goes when its
 * stream is done (`discard`), and the folders with whatever is left at the end of the read
 * (`close`).
 */
export class BodySpool {
  private count = 0;
  /** Every folder made, the current one last. */
  private readonly made: string[] = [];

  private constructor(
    /** The candidates not tried yet, for moving on. */
    private readonly untried: string[],
  ) {}

  /** The folder bodies wait in now; undefined when they wait in memory. */
  get dir(): string | undefined {
    const folder = this.made.at(-1);
    return folder === MEMORY ? undefined : folder;
  }

  /**
   * A spool in the first folder where one can be made; `skipped` says which were passed
   * over and why (for the log). No folder at all is not an error: bodies then wait in memory.
   */
  static async create(
    candidates: string[],
  ): Promise<{ spool: BodySpool; skipped: { folder: string; why: string }[] }> {
    const spool = new BodySpool([...new Set(candidates)]);
    return { spool, skipped: await spool.makeFolder() };
  }

  /** A folder in the first untried candidate where one can be made (none: memory). */
  private async makeFolder(): Promise<{ folder: string; why: string }[]> {
    const skipped: { folder: string; why: string }[] = [];
    for (let folder = this.untried.shift(); folder !== undefined; folder = this.untried.shift()) {
      try {
        this.made.push(await mkdtemp(join(folder, "amplitude-charts-")));
        return skipped;
      } catch (error) {
        skipped.push({ folder, why: codeOf(error) ?? String(error) });
      }
    }
    this.made.push(MEMORY);
    return skipped;
  }

  /** Where one chart's body is written, attempt by attempt. */
  writer(chartId: string): BodyWriter {
    const folder = this.dir;
    if (folder === undefined) return memoryWriter(chartId);
    const path = join(folder, `chart-${this.count++}.body`);
    return {
      folder,
      // Each attempt truncates the file: only the successful one is kept.
      attempt: () => createWriteStream(path),
      complete: async ({ contentType, elapsedMs }) => {
        const { size } = await stat(path);
        return new FileBody(chartId, path, size, contentType, elapsedMs);
      },
    };
  }

  /**
   * A writer failed: when it could not write its folder (a failure of this machine, not
   * Amplitude's), bodies from now on wait in the next folder where one can be made, else in
   * memory, and the WARN that says so is returned ("" when another body moved on already);
   * undefined for any other failure. The bodies already in the folder stay readable.
   */
  async moveOn(writer: BodyWriter, error: unknown): Promise<string | undefined> {
    const code = codeOf(error);
    if (writer.folder === undefined || code === undefined || !LOCAL_WRITE_FAILURES.has(code)) {
      return undefined;
    }
    if (writer.folder !== this.dir) return "";
    await this.makeFolder();
    // Read again: makeFolder() moved on, maybe to memory. (TypeScript still narrows `dir` to
    // the writer's folder from the check above: it does not see the getter change.)
    const dir = this.dir as string | undefined;
    const problem = `a body could not be written in ${writer.folder} (${(error as Error).message})`;
    const fix =
      "It is this machine's disk, not Amplitude: give TMPDIR a folder with room for the largest chart, " +
      "or mount a larger volume at /tmp.";
    return dir === undefined
      ? `${problem}, and no other folder can be written: bodies now wait in memory, which grows with the charts' size. ${fix}`
      : `${problem}: bodies now wait in ${dir}. ${fix}`;
  }

  /** Removes the folders and any body still in them (a read that failed part-way). */
  async close(): Promise<void> {
    for (const folder of this.made.splice(0)) {
      if (folder !== MEMORY) await rm(folder, { recursive: true, force: true });
    }
  }
}

/** Stands in `made` for memory, once no folder is left. */
const MEMORY = "";

/** What writing a body may fail with on this machine: moving on may help, retrying would not. */
const LOCAL_WRITE_FAILURES = new Set([
  "ENOSPC",
  "EDQUOT",
  "EFBIG",
  "EACCES",
  "EPERM",
  "EROFS",
  "EIO",
  "ENOENT",
]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The folders a spool may use, in order: TMPDIR, /tmp, /airbyte, the working directory. */
export function spoolCandidates(env: Record<string, string | undefined>, cwd: string): string[] {
  return [env.TMPDIR, "/tmp", "/airbyte", cwd].filter(
    (folder): folder is string => folder !== undefined && folder !== "",
  );
}

/** One chart's body, being received. */
export interface BodyWriter {
  /** The folder it is written in; undefined in memory. */
  folder?: string;
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
// Enough for an envelope to show its "data" key after a few other keys (body-format.ts).
const ENDS_BYTES = 4096;

function memoryWriter(chartId: string): BodyWriter {
  let chunks: Buffer[] = [];
  return {
    attempt: () => {
      chunks = [];
      const kept = chunks;
      return new Writable({
        write(chunk: Buffer, _encoding, done) {
          kept.push(chunk);
          done();
        },
      });
    },
    complete: async ({ contentType, elapsedMs }) =>
      new MemoryBody(chartId, chunks, contentType, elapsedMs),
  };
}

/** A body held in memory: no folder could be written to. */
class MemoryBody implements SpooledBody {
  readonly bytes: number;

  constructor(
    readonly chartId: string,
    private chunks: Buffer[],
    readonly contentType: string,
    readonly elapsedMs: number,
  ) {
    this.bytes = chunks.reduce((total, chunk) => total + chunk.length, 0);
  }

  async *text(): AsyncGenerator<string> {
    const decoder = new StringDecoder("utf8");
    for (const chunk of this.chunks) {
      const text = decoder.write(chunk);
      if (text !== "") yield text;
    }
    const rest = decoder.end();
    if (rest !== "") yield rest;
  }

  async ends(): Promise<{ head: string; tail: string }> {
    const size = Math.min(this.bytes, ENDS_BYTES);
    const first: Buffer[] = [];
    for (let i = 0, n = 0; i < this.chunks.length && n < size; i++) {
      first.push(this.chunks[i] as Buffer);
      n += (this.chunks[i] as Buffer).length;
    }
    const last: Buffer[] = [];
    for (let i = this.chunks.length - 1, n = 0; i >= 0 && n < size; i--) {
      last.unshift(this.chunks[i] as Buffer);
      n += (this.chunks[i] as Buffer).length;
    }
    const tail = Buffer.concat(last);
    return {
      head: Buffer.concat(first).subarray(0, size).toString("utf8"),
      tail: tail.subarray(tail.length - size).toString("utf8"),
    };
  }

  async discard(): Promise<void> {
    this.chunks = [];
  }
}

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
