import { UnusableBody } from "./body-errors.js";
import { unwrapEnvelope } from "./json-envelope.js";

export type BodyKind = "envelope" | "csv";

/**
 * What a body is, decided from its first (and, when known, last) characters before any
 * record is emitted: the `{"data": "<csv>"}` envelope, raw CSV, or something that cannot
 * be chart data (empty, an HTML page, an envelope cut short): those throw UnusableBody.
 */
export function sniffBody(head: string, tail: string | undefined): BodyKind {
  const start = head.replace(/^\uFEFF/, "").trimStart();
  if (start === "") throw new UnusableBody("empty");
  if (start.startsWith("<")) throw new UnusableBody("html");
  if (start.startsWith("{")) {
    if (tail !== undefined && !tail.trimEnd().endsWith("}")) throw new UnusableBody("cut-envelope");
    return "envelope";
  }
  return "csv";
}

/** The CSV text of a body of either kind, chunk by chunk; a byte-order mark is dropped. */
export function csvText(kind: BodyKind, text: AsyncIterable<string>): AsyncGenerator<string> {
  return withoutBom(kind === "envelope" ? unwrapEnvelope(withoutBom(text)) : text);
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
