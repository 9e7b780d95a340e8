import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { ConnectorError } from "../errors.js";
import type { SpooledChart } from "./client.js";
import { preview } from "./http-errors.js";
import { EnvelopeError, unwrapEnvelope } from "./json-envelope.js";

export type BodyKind = "envelope" | "csv";

const READ_CHUNK = 1 << 16;

/**
 * Decides from a body's first (and, when known, last) characters what it is, before
 * any record is emitted: the JSON envelope, raw CSV, or something we cannot use
 * (empty, an HTML page, an envelope cut short).
 */
export function sniffBody(
  chartId: string,
  head: string,
  tail: string | undefined,
  contentType: string,
): BodyKind {
  const start = head.replace(/^\uFEFF/, "").trimStart();
  const unusable = (what: string, fix: string): ConnectorError =>
    new ConnectorError(
      "system_error",
      `Amplitude's answer for chart ${chartId} is ${what} (Content-Type "${contentType || "none"}"; it begins: ${preview(start, 120)}). ${fix}`,
    );
  if (start === "") {
    throw unusable(
      "empty",
      "Run the sync again; if it stays empty, open the chart in Amplitude and check that it has data.",
    );
  }
  if (start.startsWith("<")) {
    throw unusable(
      "an HTML page, not chart data",
      "If base_url is set, point it at the API host (https://amplitude.com or https://analytics.eu.amplitude.com), not the web app; a proxy may also answer with such a page.",
    );
  }
  if (start.startsWith("{")) {
    if (tail !== undefined && !tail.trimEnd().endsWith("}")) {
      throw unusable("cut short (the JSON ends before its closing brace)", "Run the sync again.");
    }
    return "envelope";
  }
  return "csv";
}

/** The first and last characters of a spooled body, read without loading it. */
export async function headAndTail(
  path: string,
  bytes: number,
): Promise<{ head: string; tail: string }> {
  const file = await open(path, "r");
  try {
    const size = Math.min(bytes, 512);
    const head = Buffer.alloc(size);
    const last = Buffer.alloc(size);
    await file.read(head, 0, size, 0);
    await file.read(last, 0, size, Math.max(bytes - size, 0));
    return { head: head.toString("utf8"), tail: last.toString("utf8") };
  } finally {
    await file.close();
  }
}

/**
 * The CSV text of a spooled chart body, in chunks, whether the body is the JSON
 * envelope or raw CSV. A byte-order mark is dropped. Fails with a system error that
 * names the chart when the body cannot be understood. The file stays open until the
 * text is read to its end or the generator is returned.
 */
export async function openChartCsv(chart: SpooledChart): Promise<AsyncGenerator<string>> {
  const { head, tail } = await headAndTail(chart.path, chart.bytes);
  const kind = sniffBody(chart.chartId, head, tail, chart.contentType);
  const text = fileText(chart.path);
  return withoutBom(
    kind === "envelope"
      ? explainEnvelopeErrors(chart.chartId, unwrapEnvelope(withoutBom(text)))
      : text,
  );
}

/**
 * A file's text, one READ_CHUNK at a time, read only when the consumer asks for it. A
 * read stream reads ahead and hands over everything it has buffered, joined: strings of
 * 128 kB and more that outlived young-generation GCs. On a 14.6M-record chart that
 * moved 467 MB to the old generation (--trace-gc-nvp); read on demand, 4 MB.
 */
async function* fileText(path: string): AsyncGenerator<string> {
  const file = await open(path, "r");
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

async function* explainEnvelopeErrors(
  chartId: string,
  chunks: AsyncIterable<string>,
): AsyncGenerator<string> {
  try {
    yield* chunks;
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    throw new ConnectorError(
      "system_error",
      `Amplitude's answer for chart ${chartId} could not be read: ${error.message}. Run the sync again; if it persists, the response format may have changed.`,
    );
  }
}

async function* withoutBom(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  let first = true;
  for await (const chunk of chunks) {
    if (first) {
      first = false;
      const rest = chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
      if (rest !== "") yield rest;
    } else yield chunk;
  }
}
