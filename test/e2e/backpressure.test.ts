import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { csvLine, textCell } from "../../fake-amplitude/csv.js";
import { parseMessages, records, stateCounts } from "../helpers/protocol.js";
import { CLI, configuredCatalog, jsonFiles } from "../helpers/run-cli.js";
import { configFor, serve, timeline, stopFakes } from "../helpers/connector.js";

afterAll(stopFakes);

const ROWS = 20_000;
const DAYS = 10;
const TOTAL = ROWS * DAYS; // 200,000 records
const HEADER_DATES = Array.from(
  { length: DAYS },
  (_, d) => `2026-06-${String(d + 1).padStart(2, "0")}`,
);
const label = (row: number): string => `Segment ${String(row).padStart(5, "0")}`;

/** A big export, generated in chunks. */
function* bigCsv(): Iterable<string> {
  yield `${textCell("Big Chart")}\r\n\r\n${textCell("Uniques")}\r\n${textCell("Page Viewed")}\r\n\r\n`;
  yield ["Segment", ...HEADER_DATES].map((h) => textCell(h)).join(",") + "\r\n";
  let lines = "";
  for (let row = 0; row < ROWS; row++) {
    lines += csvLine([label(row), ...HEADER_DATES.map((_, d) => row * DAYS + d)]) + "\r\n";
    if (row % 1000 === 999) {
      yield lines;
      lines = "";
    }
  }
  yield lines;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads `stream` slowly: nothing for `firstPauseMs`, then at most `burstBytes` per
 * `pauseMs`. Calls `onProgress` with the bytes read so far after each burst.
 */
async function readSlowly(
  stream: Readable,
  options: { firstPauseMs: number; burstBytes: number; pauseMs: number },
  onProgress: (bytes: number) => void,
): Promise<string> {
  stream.pause();
  await sleep(options.firstPauseMs);
  const parts: Buffer[] = [];
  let bytes = 0;
  for (;;) {
    let burst = 0;
    while (burst < options.burstBytes) {
      const chunk = stream.read() as Buffer | null;
      if (chunk === null) break;
      parts.push(chunk);
      burst += chunk.length;
    }
    bytes += burst;
    onProgress(bytes);
    if (stream.readableEnded) break; // its 'end' was emitted
    if (burst === 0) {
      await new Promise((resolve) => {
        stream.once("readable", resolve);
        stream.once("end", resolve);
      });
    } else await sleep(options.pauseMs);
  }
  return Buffer.concat(parts).toString("utf8");
}

describe("backpressure", () => {
  it("delivers all 200,000 records, in order, to a slow reader, and exits after the last", async () => {
    const fake = await serve({ big: { csv: bigCsv } });
    const files = jsonFiles({
      config: configFor(fake, ["big"]),
      catalog: configuredCatalog(["chart_big"]),
    });
    const child = spawn(
      process.execPath,
      [CLI, "read", "--config", files.config ?? "", "--catalog", files.catalog ?? ""],
      {
        env: { ...process.env, SOURCE_AMPLITUDE_CHARTS_RETRY_DELAY_SCALE: "0.001" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    let readSoFar = 0;
    let readAtExit: number | undefined;
    let aliveAfterFirstPause = false;
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => {
        readAtExit = readSoFar;
        resolve(code);
      }),
    );

    const stdout = await readSlowly(
      child.stdout,
      { firstPauseMs: 1_500, burstBytes: 256 * 1024, pauseMs: 2 },
      (bytes) => {
        if (readSoFar === 0) aliveAfterFirstPause = child.exitCode === null;
        readSoFar = bytes;
      },
    );
    const code = await exited;
    expect(code, stderr).toBe(0);

    // While nobody read, the connector waited instead of exiting with output pending.
    expect(aliveAfterFirstPause).toBe(true);
    // It exited only when (nearly) all its output had been taken: at most what the
    // pipe and our stream buffer hold was still in flight.
    expect(stdout.length - (readAtExit ?? 0)).toBeLessThan(2 * 1024 * 1024);

    const messages = parseMessages(stdout);
    const data = records(messages, "chart_big");
    expect(data).toHaveLength(TOTAL);
    for (let i = 0; i < TOTAL; i += 1) {
      const record = data[i] as { dimension_value: string; segment: string; value: number };
      const row = Math.floor(i / DAYS);
      if (
        record.value !== i ||
        record.dimension_value !== label(row) ||
        record.segment !== HEADER_DATES[i % DAYS]
      ) {
        expect.fail(`record ${i} out of place: ${JSON.stringify(record)}`);
      }
    }
    expect(stateCounts(messages, "chart_big")).toEqual([TOTAL]);
    expect(timeline(messages, "chart_big")).toEqual([
      "STARTED",
      "RUNNING",
      `RECORD*${TOTAL}`,
      `STATE(${TOTAL})`,
      "COMPLETE",
    ]);
    // The last line is whole, and it is the stream's COMPLETE: nothing was cut off.
    expect(stdout.endsWith("\n")).toBe(true);
    expect(messages.at(-1)?.trace).toMatchObject({
      type: "STREAM_STATUS",
      stream_status: { stream_descriptor: { name: "chart_big" }, status: "COMPLETE" },
    });
    expect(fake.requests).toHaveLength(1);
  }, 90_000);
});
