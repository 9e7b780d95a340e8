import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * What ARCHITECTURE.md and CONTRIBUTING.md quote from the code, checked against the code, so
 * that a rename in src/ fails here rather than leaving the docs wrong:
 *
 * - every backticked repository path they name exists;
 * - every file under src/ is named in ARCHITECTURE.md (each file has its line there);
 * - a name ARCHITECTURE.md places in a file is declared there (or is a string literal there):
 *   in a list item that starts with a path, each backticked name after a path belongs to it;
 *   in prose, "`name` in `path`", "`a`, `b` and `c` in `path`" and "`name` (`path`)";
 * - every other backticked name in ARCHITECTURE.md (a name, an option, a field) occurs in
 *   src/ or the package files (spec.json, package.json, metadata.yaml, the Dockerfile);
 * - every `npm run X` (and `npm test`) in CONTRIBUTING.md is a script of package.json;
 * - every environment variable CONTRIBUTING.md lists under "Test knobs", or sets in a
 *   command (`NAME=value`), is read somewhere in src/, test/, bench/, scripts/,
 *   fake-amplitude/ or .ci/.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const read = (file: string): string => readFileSync(join(ROOT, file), "utf8");

/** Repository files under `folder` (relative to the root), recursively. */
function filesUnder(folder: string, extensions = /\.(ts|js|mjs|sh)$/): string[] {
  if (!existsSync(join(ROOT, folder))) return [];
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: "utf8" })
    .map((name) => join(folder, name))
    .filter((file) => extensions.test(file) || file === ".ci/run");
}

/** The markdown without fenced code blocks, whose backticks quote nothing. */
const prose = (markdown: string): string => markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");

const TOP_FOLDERS = /^(src|test|scripts|bench|fake-amplitude|docs|integration_tests|\.ci)\//;
/** A backticked repository path: under a top folder, no wildcard or placeholder. */
const isRepoPath = (token: string): boolean => TOP_FOLDERS.test(token) && !/[*<>{}\s]/.test(token);
const isSourceFile = (token: string): boolean => isRepoPath(token) && /\.(ts|js|mjs)$/.test(token);
/** A name as code spells it: `name`, `name()`, `Class.member`. */
const NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)?(\(\))?$/;
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;
const ENV_NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

/** A name the code declares: not a file name (`spec.json`), not an option or field. */
const isName = (token: string): boolean =>
  NAME.test(token) &&
  !SNAKE.test(token) &&
  !/\.(json|jsonl|ts|js|mjs|md|ya?ml|csv|sh)$/.test(token);

const escape = (text: string): string => text.replace(/[$.*+?^()[\]{}|\\]/g, "\\$&");

/** Whether `source` declares `name` (top level, exported or not, or as a class member). */
function declares(source: string, name: string): boolean {
  const n = escape(name);
  return (
    new RegExp(`\\b(function\\*?|class|interface|type|enum|const|let|var)\\s+${n}\\b`).test(
      source,
    ) ||
    new RegExp(`\\bexport\\s+(type\\s+)?\\{[^}]*\\b${n}\\b`).test(source) ||
    // A method, accessor or property: at the start of a line, not a statement ending in `;`.
    new RegExp(
      `^\\s*((public|private|protected|static|readonly|async|get|set|override)\\s+)*\\*?` +
        `${n}\\s*(<[^>\\n]*>)?[(:=?!]([^;\\n]*[^;\\s])?\\s*$`,
      "m",
    ).test(source)
  );
}

/** Whether `name` (`name()`, `Class.member`) lives in `source`: declared, or a string there. */
function livesIn(source: string, quoted: string): boolean {
  const name = quoted.replace(/\(\)$/, "");
  const [owner, member] = name.split(".") as [string, string | undefined];
  if (member !== undefined) return declares(source, owner) && declares(source, member);
  return declares(source, name) || source.includes(`"${name}"`);
}

const wordIn = (text: string, word: string): boolean =>
  new RegExp(`(^|[^\\w$])${escape(word)}(?![\\w$])`).test(text);

interface Claim {
  name: string;
  file: string;
}

/** The names a page places in files (see the rules above). */
function claimsOf(markdown: string): Claim[] {
  const text = prose(markdown);
  const claims: Claim[] = [];
  // List items that start with a path: each name after a path belongs to that path.
  for (const item of text.split(/\n(?=\s*(?:[-*]|\d+\.) |\n)/)) {
    const tokens = [...item.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
    if (!/^\s*(?:[-*]|\d+\.) `/.test(item) || !isSourceFile(tokens[0] ?? "")) continue;
    let file = "";
    for (const token of tokens) {
      if (isSourceFile(token)) file = token;
      else if (isName(token)) claims.push({ name: token, file });
    }
  }
  // Prose: "`a`, `b` and `c` in `path`", "`name` (`path`)".
  const run = /((?:`[^`\n]+`(?:,\s+|\s+and\s+|\s+or\s+))*`[^`\n]+`)(?:\s+in\s+|\s+\()`([^`\n]+)`/g;
  for (const [, names = "", file = ""] of text.matchAll(run)) {
    if (!isSourceFile(file)) continue;
    for (const [, name = ""] of names.matchAll(/`([^`\n]+)`/g)) {
      if (isName(name)) claims.push({ name, file });
    }
  }
  return claims;
}

/** The claims that the code does not bear out, as "name in file" lines. */
function wrongClaims(claims: Claim[], readFile: (file: string) => string): string[] {
  return claims
    .filter(({ name, file }) => !existsSync(join(ROOT, file)) || !livesIn(readFile(file), name))
    .map(({ name, file }) => `\`${name}\` in ${file}`);
}

const backticked = (markdown: string): string[] =>
  [...prose(markdown).matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);

/** The paths a page names that do not exist. */
const missingPaths = (markdown: string): string[] =>
  [...markdown.matchAll(/`([^`\n]+)`/g)]
    .map((m) => (m[1] as string).replace(/[:,.]$/, ""))
    .filter((token) => isRepoPath(token) && !existsSync(join(ROOT, token)));

/** The text of one `## heading` section of a page. */
function section(markdown: string, heading: string): string {
  const text = `\n${markdown}`;
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) return "";
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** The environment variables a page lists as test knobs or sets in a command. */
function envNamesOf(markdown: string): string[] {
  const listed = backticked(section(markdown, "Test knobs"))
    .map((token) => token.replace(/=.*$/, ""))
    .filter((token) => ENV_NAME.test(token));
  const set = [...markdown.matchAll(/(?:^|[\s`(])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)=/gm)].map(
    (m) => m[1] as string,
  );
  return [...new Set([...listed, ...set])];
}

/** Whether `source` reads the environment variable `name`. */
const readsEnv = (source: string, name: string): boolean =>
  new RegExp(`env\\.${name}\\b|env\\[["']${name}["']\\]|["']${name}["']|\\$\\{?${name}\\b`).test(
    source,
  );

const CODE = ["src", "test", "bench", "scripts", "fake-amplitude", ".ci"]
  .flatMap((folder) => filesUnder(folder))
  .filter((file) => !file.endsWith("quoted-code.test.ts"));
const SOURCES = filesUnder("src");
const PACKAGE_FILES = ["spec.json", "package.json", "metadata.yaml", "Dockerfile"];
const ARCHITECTURE = read("ARCHITECTURE.md");
const CONTRIBUTING = read("CONTRIBUTING.md");

describe("ARCHITECTURE.md, against the code", () => {
  it("names only paths that exist", () => {
    expect(missingPaths(ARCHITECTURE)).toEqual([]);
  });

  it("gives every file under src/ its line", () => {
    const named = new Set(backticked(ARCHITECTURE));
    const unnamed = SOURCES.filter(
      (file) => !named.has(file) && !named.has(file.replace(/\.d\.ts$/, ".js")),
    );
    expect(unnamed).toEqual([]);
  });

  it("places each name it quotes in the file that declares it", () => {
    const claims = claimsOf(ARCHITECTURE);
    expect(claims.length).toBeGreaterThan(50);
    expect(wrongClaims(claims, read)).toEqual([]);
  });

  it("quotes other names, options and fields only as the code or the package files hold them", () => {
    const code = [...SOURCES, ...PACKAGE_FILES].map(read).join("\n");
    const placed = new Set(claimsOf(ARCHITECTURE).map((claim) => claim.name));
    const unknown = backticked(ARCHITECTURE)
      .filter((token) => (isName(token) || SNAKE.test(token)) && !placed.has(token))
      .filter(
        (token) =>
          !token
            .replace(/\(\)$/, "")
            .split(".")
            .every((w) => wordIn(code, w)),
      );
    expect(unknown).toEqual([]);
  });
});

describe("CONTRIBUTING.md, against the code", () => {
  it("names only paths that exist", () => {
    expect(missingPaths(CONTRIBUTING)).toEqual([]);
  });

  it("runs only npm scripts that package.json has", () => {
    const { scripts } = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
    const named = [
      ...[...CONTRIBUTING.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1] as string),
      ...(/\bnpm test\b/.test(CONTRIBUTING) ? ["test"] : []),
    ];
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !(name in scripts))).toEqual([]);
  });

  it("lists only environment variables that something reads", () => {
    const names = envNamesOf(CONTRIBUTING);
    expect(names).toContain("SOURCE_AMPLITUDE_CHARTS_RETRY_DELAY_SCALE");
    const sources = CODE.map(read);
    expect(names.filter((name) => !sources.some((source) => readsEnv(source, name)))).toEqual([]);
  });
});

describe("the checks themselves", () => {
  it("catch a name placed in the wrong file, a missing name, and a missing file", () => {
    const page = [
      "- `src/source/check.ts`: `checkConnection`, `CHECK_BUDGET`, `NOT_THERE`.",
      "- `src/json.ts`: `isObject`. `src/spelling.ts`: `nearest`, `isObject`.",
      "",
      "`HttpClient.get` in `src/http/http-client.ts`; `DEFAULT_RETRY_POLICY` and",
      "`retryDelayMs` in `src/source/read.ts`; `main` (`src/entrypoint.ts`); `x` in `src/gone.ts`.",
    ].join("\n");
    expect(wrongClaims(claimsOf(page), read)).toEqual([
      "`NOT_THERE` in src/source/check.ts",
      "`isObject` in src/spelling.ts",
      "`DEFAULT_RETRY_POLICY` in src/source/read.ts",
      "`retryDelayMs` in src/source/read.ts",
      "`x` in src/gone.ts",
    ]);
    expect(missingPaths(page)).toEqual(["src/gone.ts"]);
  });

  it("tell an environment variable that is read from one that is not", () => {
    const page = "## Test knobs\n\n- `BENCH_ROWS`: rows.\n- `NO_SUCH_KNOB`: nothing.\n";
    expect(envNamesOf(page + "Run `CONTAINER_ENGINE=docker npm test`.")).toEqual([
      "BENCH_ROWS",
      "NO_SUCH_KNOB",
      "CONTAINER_ENGINE",
    ]);
    const sources = CODE.map(read);
    expect(sources.some((source) => readsEnv(source, "BENCH_ROWS"))).toBe(true);
    expect(sources.some((source) => readsEnv(source, "NO_SUCH_KNOB"))).toBe(false);
  });
});
