import { CsvTruncatedError } from "../csv/csv-rows.js";
import { NoTableError } from "../csv/table-reader.js";
import { ConnectorError, preview } from "../errors.js";
import { EnvelopeError } from "./json-envelope.js";

/** A body that cannot be chart data, seen from its first and last characters. */
export class UnusableBody extends Error {
  constructor(readonly problem: "empty" | "html" | "cut-envelope" | "json-without-data") {
    super(problem);
  }
}

/** What a message can show of the body: how it begins and ends, its type, its size. */
export interface BodyEvidence {
  chartId: string;
  contentType: string;
  head: string;
  tail?: string;
  bytes?: number;
}

/**
 * The one table for bodies that cannot be understood: each problem the body's readers
 * find (the sniffer, the envelope decoder, the CSV tokenizer, the table reader) as a
 * system error a user can act on, naming the chart and showing what arrived. Anything
 * else is returned as it is.
 */
export function explainBodyError(error: unknown, evidence: BodyEvidence): unknown {
  const { chartId } = evidence;
  const answer = `Amplitude's answer for chart ${chartId}`;
  const fail = (problem: string, advice: string): ConnectorError =>
    new ConnectorError("system_error", problem, { advice });
  const begins = `Content-Type "${evidence.contentType || "none"}"; it begins: ${preview(
    evidence.head.replace(/^\uFEFF/, ""),
    120,
  )}`;

  if (error instanceof UnusableBody) {
    switch (error.problem) {
      case "empty":
        return fail(
          `${answer} is empty (${begins}).`,
          "Run the sync again; if it stays empty, open the chart in Amplitude and check that it has data.",
        );
      case "html":
        return fail(
          `${answer} is an HTML page, not chart data (${begins}).`,
          "If base_url is set, point it at the API host (https://amplitude.com or " +
            "https://analytics.eu.amplitude.com), not the web app; a proxy may also answer with such a page.",
        );
      case "cut-envelope":
        return fail(
          `${answer} is cut short (the JSON ends before its closing brace) (${begins}).`,
          "Run the sync again.",
        );
      case "json-without-data":
        // An error sent with status 200, or not Amplitude at all.
        return fail(
          `${answer} is JSON without chart data: ${preview(evidence.head)}.`,
          "If base_url is set, check that it points at Amplitude's Dashboard REST API.",
        );
    }
  }
  if (error instanceof EnvelopeError) {
    return fail(
      `${answer} could not be read: ${error.message}.`,
      "Run the sync again; if it persists, the response format may have changed.",
    );
  }
  if (error instanceof CsvTruncatedError) {
    const end = (evidence.tail ?? "").replace(/\s+/g, " ").trim().slice(-100);
    return fail(
      `${answer} was cut short: ${error.message} (${evidence.bytes ?? "?"} bytes arrived, ending: ...${end}).`,
      "Records read before the cut were emitted; run the sync again.",
    );
  }
  if (error instanceof NoTableError) {
    return fail(
      `${answer} holds no table (${error.message}).`,
      "Open the chart in Amplitude and check that it shows data.",
    );
  }
  return error;
}
