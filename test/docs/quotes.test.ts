import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * What the user's page quotes from the code, checked against the code: every message of its
 * troubleshooting section is one the code writes, and its configuration table is spec.json's
 * options with their defaults. So the page cannot drift from the code: a message changed in
 * src/ fails here until the page says the same.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PAGE = readFileSync(join(ROOT, "docs", "amplitude-charts.md"), "utf8");

/** Every .ts file under src/, as one text. */
function sourceText(dir = join(ROOT, "src")): string {
  return readdirSync(dir, { withFileTypes: true })
    .map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceText(path);
      return entry.name.endsWith(".ts") ? readFileSync(path, "utf8") : "";
    })
    .join("\n");
}

/**
 * The code's strings as a user reads them: words, lower case, joined by single spaces; a
 * `${...}` (a value known at run time) breaks the run with a "|", as the end of a literal does.
 */
const words = (text: string): string =>
  (text.toLowerCase().match(/[a-z0-9_]+|\|/g) ?? []).join(" ");
const CODE = words(
  sourceText()
    .replace(/\\"/g, "") // an escaped quote is text
    .replace(/(["`])\s*\+\s*(["`])/g, "") // "a " + "b" is "a b"
    .replace(/\$\{[^}]*\}|["`]/g, " | "),
);

/** Words a message takes from the config or the command line at run time: gaps, as {...} is. */
const SPEC = JSON.parse(readFileSync(join(ROOT, "spec.json"), "utf8")) as {
  connectionSpecification: {
    required: string[];
    properties: Record<string, { default?: unknown }>;
  };
};
const RUNTIME_WORDS = new Set([
  ...Object.keys(SPEC.connectionSpecification.properties),
  ...["spec", "check", "discover", "read", "charts_metadata", "config", "catalog", "state"],
]);

/** The troubleshooting section's messages: the first `code span` of each list item. */
function troubleshootingMessages(): string[] {
  const section = PAGE.slice(PAGE.indexOf("### Troubleshooting"), PAGE.indexOf("## Changelog"));
  const items = section.split(/\n- /).slice(1);
  return items.map((item) => /`([^`]+)`/.exec(item.replace(/\n\s*/g, " "))?.[1] ?? "");
}

/**
 * What of a message the code does not write. The message is cut at its `{placeholders}`,
 * `...` elisions, numbers and run-time words (option and command names); each piece of three
 * words or more must be made of runs of at least three words that stand together in src/.
 */
function notInCode(message: string): string[] {
  // Sentence marks end a piece too: the code may compose a message there.
  // "20 s" is a duration the code computes.
  const pieces = words(message.replace(/\{[^}]*\}|\.\.\.|\b\d+ s\b|[.;:()<>"]/g, " | "))
    .split(" ")
    .reduce<string[][]>(
      (runs, word) => {
        if (word === "|" || RUNTIME_WORDS.has(word) || /^\d+$/.test(word)) runs.push([]);
        else runs.at(-1)?.push(word);
        return runs;
      },
      [[]],
    )
    .filter((piece) => piece.length >= 3);
  const missing: string[] = [];
  for (const piece of pieces) {
    for (let from = 0; from < piece.length;) {
      let to = piece.length;
      while (to - from >= 3 && !CODE.includes(piece.slice(from, to).join(" "))) to--;
      if (to - from < 3 && piece.length - from >= 3) {
        missing.push(piece.slice(from).join(" "));
        break;
      }
      from = Math.max(to, from + 3);
    }
  }
  return missing;
}

describe("docs/amplitude-charts.md, Troubleshooting", () => {
  const messages = troubleshootingMessages();

  it("lists the messages it explains", () => {
    expect(messages.length).toBeGreaterThan(50);
    expect(messages.filter((m) => m === "")).toEqual([]);
  });

  it.each(messages.map((m) => [m.slice(0, 70), m]))("quotes the code: %s", (_, message) => {
    expect(notInCode(message)).toEqual([]);
  });

  it("would see a message the code does not write", () => {
    expect(notInCode("Chart {chart} was lost in the mail (HTTP 418: {...}). Try again.")).toEqual([
      "was lost in the mail",
    ]);
    expect(notInCode("Chart {chart} was not found at all, sorry.")).toEqual(["at all sorry"]);
  });
});

describe("docs/amplitude-charts.md, The configuration", () => {
  const spec = SPEC;
  const table = PAGE.slice(
    PAGE.indexOf("### The configuration"),
    PAGE.indexOf("### Quick start from a clone"),
  )
    .split("\n")
    .filter((line) => /^\| `/.test(line))
    .map((line) => line.split("|").map((cell) => cell.trim()));

  it("lists spec.json's options, each once, with whether it is required and its default", () => {
    const { required, properties } = spec.connectionSpecification;
    expect(table.map((row) => row[1]).sort()).toEqual(
      Object.keys(properties)
        .map((name) => `\`${name}\``)
        .sort(),
    );
    for (const [, option = "", isRequired, shownDefault] of table) {
      const name = option.slice(1, -1);
      expect(isRequired, name).toBe(required.includes(name) ? "yes" : "no");
      const specDefault = properties[name]?.default;
      if (specDefault !== undefined) expect(shownDefault, name).toBe(`\`${String(specDefault)}\``);
    }
  });
});
