/** A body that is not the JSON envelope we expect. The caller adds the chart's name. */
export class EnvelopeError extends Error {}

/**
 * Streams the `data` string out of Amplitude's `{"data": "<csv>", ...}` envelope without
 * holding the body: other keys are skipped, and the string is decoded slice by slice by
 * the native JSON.parse, each slice cut where no escape sequence is split.
 */
export async function* unwrapEnvelope(chunks: AsyncIterable<string>): AsyncGenerator<string> {
  const scan = new Scanner(chunks[Symbol.asyncIterator]());
  try {
    await scan.expect("{");
    const keys: string[] = [];
    let found = false;
    let errorValue: string | undefined;
    for (;;) {
      const c = await scan.peekNonWs();
      if (c === "}") break;
      if (c === ",") {
        scan.pos++;
        continue;
      }
      const key = await scan.readSmallString();
      keys.push(key);
      await scan.expect(":");
      const valueStart = await scan.peekNonWs();
      if (key === "data" && valueStart === '"' && !found) {
        found = true;
        yield* scan.streamString();
      } else if (key === "error") {
        errorValue = await scan.readValueText(4096);
      } else {
        await scan.readValueText(0);
      }
    }
    if (!found) {
      const said = errorValue !== undefined ? `; it says: ${errorValue}` : "";
      throw new EnvelopeError(
        `the JSON response has no "data" string (keys: ${keys.join(", ") || "none"})${said}`,
      );
    }
  } finally {
    // Whatever follows the data (other keys, the closing brace) may be left unread.
    await scan.close();
  }
}

class Scanner {
  buf = "";
  pos = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<string>) {}

  /** Ends the source early (closing the file under it) unless it already ended. */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.source.return?.();
  }

  /** Appends the next chunk; false at the end of the body. */
  async more(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.source.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    this.buf = this.buf.slice(this.pos) + next.value;
    this.pos = 0;
    return true;
  }

  async peekNonWs(): Promise<string> {
    for (;;) {
      while (this.pos < this.buf.length && /\s/.test(this.buf[this.pos] ?? "")) this.pos++;
      if (this.pos < this.buf.length) return this.buf[this.pos] ?? "";
      if (!(await this.more())) throw new EnvelopeError("the JSON response ends too early");
    }
  }

  async expect(char: string): Promise<void> {
    const c = await this.peekNonWs();
    if (c !== char) {
      throw new EnvelopeError(
        `expected "${char}" in the JSON response, found "${this.buf.slice(this.pos, this.pos + 40)}"`,
      );
    }
    this.pos++;
  }

  /** A key: short enough to collect whole. */
  async readSmallString(): Promise<string> {
    const text = await this.readValueText(1 << 20);
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === "string") return value;
    } catch {
      // fall through
    }
    throw new EnvelopeError(`expected a key in the JSON response, found ${text.slice(0, 40)}`);
  }

  /** Skips one JSON value; returns its text, up to `keep` characters of it. */
  async readValueText(keep: number): Promise<string> {
    await this.peekNonWs();
    let text = "";
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (;;) {
      // `while`: a chunk may be empty, and an empty chunk holds no character to scan.
      while (this.pos >= this.buf.length) {
        if (!(await this.more())) throw new EnvelopeError("the JSON response ends too early");
      }
      const c = this.buf[this.pos] ?? "";
      if (inString) {
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        if (depth === 0) return text; // a number or literal ended at the enclosing object's end
        depth--;
      } else if (depth === 0 && (c === "," || /\s/.test(c))) return text;
      if (text.length < keep) text += c;
      this.pos++;
      // A string, object or array at the top level ends with its closing character.
      if (depth === 0 && !inString && (c === '"' || c === "}" || c === "]")) return text;
    }
  }

  /**
   * Decodes the string at `pos` (an opening quote) in slices. A slice that JSON.parse
   * accepts as a string's contents holds no unescaped quote, so the string goes on; only
   * the slice that fails (the one with the closing quote, once per body) is searched.
   */
  async *streamString(): AsyncGenerator<string> {
    this.pos++; // opening quote
    for (;;) {
      const cut = safeCut(this.buf, this.pos);
      const decoded = tryDecode(this.buf.slice(this.pos, cut));
      if (decoded === undefined) {
        const close = closingQuote(this.buf, this.pos);
        if (close >= 0) {
          if (close > this.pos) yield decode(this.buf.slice(this.pos, close));
          this.pos = close + 1;
          return;
        }
        yield decode(this.buf.slice(this.pos, cut)); // repairs raw control characters, or throws
      } else if (decoded !== "") {
        yield decoded;
      }
      this.pos = cut;
      if (!(await this.more()))
        throw new EnvelopeError('the JSON response ends inside the "data" string');
    }
  }
}

/** The first unescaped `"` at or after `from`, or -1. */
function closingQuote(buf: string, from: number): number {
  for (let i = buf.indexOf('"', from); i >= 0; i = buf.indexOf('"', i + 1)) {
    let backslashes = 0;
    while (i - 1 - backslashes >= from && buf.charCodeAt(i - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
  return -1;
}

/** The end of `buf` moved back so that no escape sequence (`\x`, `\uXXXX`) is split. */
function safeCut(buf: string, from: number): number {
  let cut = buf.length;
  let run = 0;
  while (cut - 1 - run >= from && buf.charCodeAt(cut - 1 - run) === 92) run++;
  if (run % 2 === 1) return cut - 1;
  const u = buf.lastIndexOf("\\u", cut - 1);
  if (u >= from && u + 6 > cut) {
    let before = 0;
    while (u - 1 - before >= from && buf.charCodeAt(u - 1 - before) === 92) before++;
    if (before % 2 === 0) cut = u;
  }
  return cut;
}

function tryDecode(slice: string): string | undefined {
  try {
    return JSON.parse(`"${slice}"`) as string;
  } catch {
    return undefined;
  }
}

/** One slice of a JSON string's contents. Lone surrogates at a cut rejoin in the output. */
function decode(slice: string): string {
  try {
    return JSON.parse(`"${slice}"`) as string;
  } catch {
    // Raw control characters are invalid JSON but harmless here: escape them and retry.
    const repaired = slice.replace(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
    try {
      return JSON.parse(`"${repaired}"`) as string;
    } catch {
      throw new EnvelopeError(
        `the "data" string holds an invalid escape near "${slice.slice(0, 40)}"`,
      );
    }
  }
}
