/**
 * Where a JSON text first breaks the grammar, and how, in words a user acts on. V8's own
 * messages vary between versions and give no position for some mistakes (a trailing
 * comma among them), so the config and catalog files are diagnosed here instead.
 */
export interface JsonSyntaxError {
  line: number;
  column: number;
  problem: string;
}

class Broken extends Error {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    const scanner = new Scanner(text);
    scanner.document();
    return undefined;
  } catch (error) {
    if (!(error instanceof Broken)) throw error;
    const before = text.slice(0, error.offset);
    const line = before.split("\n").length;
    const column = error.offset - (before.lastIndexOf("\n") + 1) + 1;
    return { line, column, problem: error.problem };
  }
}

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class Scanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.space();
    if (this.pos === this.text.length) throw new Broken(0, "the file is empty");
    this.value();
    this.space();
    if (this.pos < this.text.length) {
      throw new Broken(
        this.pos,
        "more text after the end of the JSON (a stray } or ], or two objects)",
      );
    }
  }

  private value(): void {
    const c = this.text[this.pos];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "'")
      throw new Broken(this.pos, "a string in single quotes (JSON needs double quotes)");
    for (const word of ["true", "false", "null"]) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    NUMBER.lastIndex = this.pos;
    const number = NUMBER.exec(this.text);
    if (number && number[0] !== "-") {
      this.pos += number[0].length;
      if (/[\d.]/.test(this.text[this.pos] ?? "")) throw new Broken(this.pos, "an invalid number");
      return;
    }
    throw new Broken(
      this.pos,
      this.unexpected(
        "a value (a string in double quotes, a number, true, false, null, an object or an array)",
      ),
    );
  }

  private object(): void {
    this.sequence("}", () => {
      const c = this.text[this.pos];
      if (c !== '"') {
        throw new Broken(
          this.pos,
          c === "'" || /[A-Za-z_$]/.test(c ?? "")
            ? "a property name not in double quotes"
            : this.unexpected("a property name in double quotes"),
        );
      }
      this.string();
      this.space();
      if (this.text[this.pos] !== ":") {
        throw new Broken(this.pos, this.unexpected("':' after the property name"));
      }
      this.pos++;
      this.space();
      this.value();
    });
  }

  private array(): void {
    this.sequence("]", () => this.value());
  }

  /** An object's or array's items, from its opening character to `close`. */
  private sequence(close: "}" | "]", item: () => void): void {
    this.pos++; // { or [
    this.space();
    if (this.text[this.pos] === close) {
      this.pos++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.pos] === close) {
        throw new Broken(this.commaBefore(), `a comma before ${close} (remove it)`);
      }
      item();
      this.space();
      const next = this.text[this.pos];
      if (next === ",") {
        this.pos++;
        continue;
      }
      if (next === close) {
        this.pos++;
        return;
      }
      throw new Broken(
        this.pos,
        this.unexpected(`',' or '${close}' after a value (a missing comma?)`),
      );
    }
  }

  private string(): void {
    const start = this.pos;
    this.pos++; // "
    for (;;) {
      if (this.pos >= this.text.length)
        throw new Broken(start, 'a string that is never closed (a missing ")');
      const code = this.text.charCodeAt(this.pos);
      if (code === 34) {
        this.pos++;
        return;
      }
      if (code < 0x20) {
        throw new Broken(
          this.pos,
          "a line break or control character inside a string (write it as \\n, \\t, ...)",
        );
      }
      if (code === 92) {
        const escape = this.text[this.pos + 1] ?? "";
        if ('"\\/bfnrt'.includes(escape) && escape !== "") this.pos += 2;
        else if (
          escape === "u" &&
          /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))
        )
          this.pos += 6;
        else
          throw new Broken(
            this.pos,
            "an invalid escape in a string (a lone backslash? write \\\\)",
          );
        continue;
      }
      this.pos++;
    }
  }

  private space(): void {
    while (this.pos < this.text.length && WS.has(this.text[this.pos] as string)) this.pos++;
  }

  /** Where the comma before the current position is (the mistake to point at). */
  private commaBefore(): number {
    let i = this.pos - 1;
    while (i > 0 && WS.has(this.text[i] as string)) i--;
    return i;
  }

  /** "expected X, found Y" without quoting more than a character of the file. */
  private unexpected(expected: string): string {
    if (this.pos >= this.text.length) return "the file ends too early (a missing } or ]?)";
    const c = this.text[this.pos] as string;
    if (c === "/" && /[/*]/.test(this.text[this.pos + 1] ?? ""))
      return "a comment (JSON has none: remove it)";
    const shown = /[\x21-\x7e]/.test(c)
      ? `'${c}'`
      : `a character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
    return `expected ${expected}, found ${shown}`;
  }
}
