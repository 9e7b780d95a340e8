import { UnusableBody } from "./body-errors.js";
import { unwrapEnvelope } from "./json-envelope.js";

export type BodyKind = "envelope" | "csv";

/**
 * What a body is, decided from its first characters (and its last, when known) before any
 * record is emitted: the `{"data": "<csv>"}` envelope, raw CSV, or something that cannot
 * be chart data, which throws UnusableBody: empty, an HTML page, JSON without a `"data"`
 * string among its first characters (an error sent with status 200, or not Amplitude), or
 * an envelope cut short. The one place that decides; check looks at a body's head with it,
 * read at a spooled body's head and tail.
 */
export function sniffBody(head: string, tail?: string): BodyKind {
  const start = head.replace(/^\uFEFF/, "").trimStart();
  if (start === "") throw new UnusableBody("empty");
  if (start.startsWith("<")) throw new UnusableBody("html");
  if (start.startsWith("{")) {
    if (!/"data"\s*:\s*"/.test(start)) throw new UnusableBody("json-without-data");
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
