import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { streamState, streamStatus } from "../../src/protocol/messages.js";
import { ProtocolWriter } from "../../src/protocol/writer.js";
import { SecretFilter } from "../../src/secrets.js";
import { assertAirbyteMessage } from "../helpers/protocol.js";

/** Collects everything written; optionally slow, like a pipe whose reader lags behind. */
class Sink extends Writable {
  text = "";
  writesWhileFull = 0;
  writes = 0;

  constructor(
    highWaterMark: number,
    private readonly delayMs: number,
  ) {
    super({ highWaterMark, decodeStrings: false });
  }

  override write(chunk: unknown, ...rest: never[]): boolean {
    this.writes++;
    if (this.writableNeedDrain) this.writesWhileFull++;
    return super.write(chunk, ...rest);
  }

  override _write(chunk: string, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    const take = (): void => {
      this.text += chunk;
      done();
    };
    if (this.delayMs > 0) setTimeout(take, this.delayMs);
    else take();
  }
}

const lines = (text: string): string[] => text.split("\n").filter((l) => l !== "");

const recordLine = (i: number, pad = 0): string =>
  JSON.stringify({
    type: "RECORD",
    record: { stream: "chart_a", data: { n: i, pad: "x".repeat(pad) }, emitted_at: 1 },
  }) + "\n";

describe("messages", () => {
  it("go out at once as one JSON line each, in order", async () => {
    const sink = new Sink(1 << 16, 0);
    const writer = new ProtocolWriter(sink, new SecretFilter());
    await writer.message(streamStatus("chart_a", "STARTED"));
    await writer.log("INFO", "hello");
    await writer.message(streamState("chart_a", 3));
    await new Promise((resolve) => setImmediate(resolve));
    const parsed = lines(sink.text).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((m) => m.type)).toEqual(["TRACE", "LOG", "STATE"]);
    expect(parsed[1]).toEqual({ type: "LOG", log: { level: "INFO", message: "hello" } });
    parsed.forEach((m) => assertAirbyteMessage(m));
  });

  it("pass through the secret filter; records do not", async () => {
    const secrets = new SecretFilter();
    secrets.add("SECRET-API-KEY-123");
    const sink = new Sink(1 << 16, 0);
    const writer = new ProtocolWriter(sink, secrets);
    await writer.log(
      "WARN",
      "request with SECRET-API-KEY-123 and Authorization: Basic abc= failed",
    );
    await writer.records(
      '{"type":"RECORD","record":{"stream":"s","data":{"v":"keep"},"emitted_at":1}}\n',
    );
    await writer.close();
    expect(sink.text).not.toContain("SECRET-API-KEY-123");
    expect(sink.text).toContain("request with **** and Authorization: Basic **** failed");
    expect(sink.text).toContain('"v":"keep"');
  });
});

describe("records", () => {
  it("are gathered into batches, and a message after them comes after them", async () => {
    const sink = new Sink(1 << 20, 0);
    const writer = new ProtocolWriter(sink, new SecretFilter());
    await writer.records(recordLine(1));
    await writer.records(recordLine(2));
    expect(sink.writes).toBe(0);
    await writer.message(streamState("chart_a", 2));
    await writer.close();
    expect(sink.writes).toBe(1);
    expect(lines(sink.text).map((l) => (JSON.parse(l) as { type: string }).type)).toEqual([
      "RECORD",
      "RECORD",
      "STATE",
    ]);
  });

  it("are written once the batch is large (24 Ki characters), without waiting for a flush", async () => {
    const sink = new Sink(1 << 20, 0);
    const writer = new ProtocolWriter(sink, new SecretFilter());
    let gathered = 0;
    for (let n = 0; sink.writes === 0 && n < 10_000; n++) {
      const line = recordLine(n, 100);
      gathered += line.length;
      await writer.records(line);
    }
    expect(sink.writes).toBe(1);
    expect(gathered).toBeGreaterThanOrEqual(24 * 1024);
    expect(gathered).toBeLessThan(24 * 1024 + recordLine(9999, 100).length);
  });

  it("flush writes what is gathered", async () => {
    const sink = new Sink(1 << 20, 0);
    const writer = new ProtocolWriter(sink, new SecretFilter());
    await writer.records(recordLine(1));
    await writer.flush();
    await writer.flush(); // nothing left: no empty write
    expect(sink.writes).toBe(1);
  });
});

describe("backpressure", () => {
  it("waits for drain whenever the stream is full, and every line arrives in order", async () => {
    const sink = new Sink(256, 1);
    const writer = new ProtocolWriter(sink, new SecretFilter());
    const expected: string[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 10 === 0) {
        const status = streamStatus(`chart_${i}`, "RUNNING");
        await writer.message(status);
        expected.push(`TRACE chart_${i}`);
        // The await returns only once the stream has taken the message off the writer.
        expect(sink.writableNeedDrain).toBe(false);
      }
      await writer.records(recordLine(i, 1000));
      expected.push(`RECORD ${i}`);
    }
    await writer.close();
    expect(sink.writes).toBeGreaterThan(20);
    expect(sink.writesWhileFull).toBe(0);
    expect(sink.writableLength).toBe(0);
    const got = lines(sink.text).map((l) => {
      const m = JSON.parse(l) as
        | { type: "RECORD"; record: { data: { n: number } } }
        | { type: "TRACE"; trace: { stream_status: { stream_descriptor: { name: string } } } };
      return m.type === "RECORD"
        ? `RECORD ${m.record.data.n}`
        : `TRACE ${m.trace.stream_status.stream_descriptor.name}`;
    });
    expect(got).toEqual(expected);
  });

  it("holds the caller until the reader has taken the batch", async () => {
    // A reader that takes nothing until it is told to.
    let take: (() => void) | undefined;
    const sink = new Writable({
      highWaterMark: 16,
      write(_chunk, _encoding, done) {
        take = done;
      },
    });
    const writer = new ProtocolWriter(sink, new SecretFilter());
    let returned = false;
    const sent = writer.message(streamStatus("chart_a", "STARTED")).then(() => (returned = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(take).toBeTypeOf("function"); // the line was handed over: longer than 16 bytes, full
    expect(returned).toBe(false);
    take?.();
    await sent;
    expect(returned).toBe(true);
    expect(sink.writableLength).toBe(0);
  });

  it("close flushes the last batch and waits while the stream is full", async () => {
    const sink = new Sink(64, 30);
    const writer = new ProtocolWriter(sink, new SecretFilter());
    await writer.records(recordLine(1));
    await writer.records(recordLine(2));
    expect(sink.writes).toBe(0);
    await writer.close();
    expect(sink.writableNeedDrain).toBe(false);
    expect(lines(sink.text)).toHaveLength(2);
  });

  it("a stream that fails while the writer waits ends the wait, and takes nothing more", async () => {
    let writes = 0;
    const broken = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, done) {
        writes++;
        setTimeout(() => done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" })), 5);
      },
    });
    const errors: unknown[] = [];
    broken.on("error", (error) => errors.push(error));
    const writer = new ProtocolWriter(broken, new SecretFilter());
    // The reader went away: whoever owns the stream hears of it by its error event.
    await writer.message(streamStatus("chart_a", "STARTED"));
    expect(errors).toEqual([expect.objectContaining({ code: "EPIPE" })]);
    await writer.message(streamStatus("chart_a", "RUNNING"));
    await writer.close();
    expect(writes).toBe(1);
  });
});

describe("secrets in messages", () => {
  it("are removed even when JSON escapes them (a key with a quote or a backslash)", async () => {
    const key = 'abc"def\\ghi';
    const secrets = new SecretFilter();
    secrets.add(key);
    const sink = new Sink(1 << 16, 0);
    const writer = new ProtocolWriter(sink, secrets);
    await writer.log("ERROR", `request failed for key ${key}`);
    await writer.close();
    const [line] = lines(sink.text);
    const message = (JSON.parse(line ?? "{}") as { log: { message: string } }).log.message;
    expect(message).not.toContain(key);
    expect(message).toBe("request failed for key ****");
  });
});
