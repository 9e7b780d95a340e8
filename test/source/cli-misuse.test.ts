import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { errorTraces, parseMessages } from "../helpers/protocol.js";
import { configuredCatalog, jsonFiles } from "../helpers/run-cli.js";
import { API_KEY, SECRET_KEY, configFor, runInProcess } from "../helpers/connector.js";

const goodConfig = configFor("https://amplitude.com", ["abc123de"]);
const basic = Buffer.from(`${API_KEY}:${SECRET_KEY}`).toString("base64");

/** The command line for each misuse, built from files written for it. */
const cases: [string, () => string[], RegExp][] = [
  ["no command", () => [], /no command/],
  ["only a flag", () => ["--config", jsonFiles({ config: goodConfig }).config ?? ""], /command/],
  [
    "an unknown command",
    () => ["sync"],
    /unknown command "sync"; use one of spec, check, discover, read\.$/,
  ],
  [
    "a misspelt command",
    () => ["chekc", "--config", jsonFiles({ config: goodConfig }).config ?? ""],
    /unknown command "chekc"; use one of spec, check, discover, read\. Did you mean "check"\?$/,
  ],
  [
    "--config and --catalog swapped",
    () => {
      const files = jsonFiles({
        config: goodConfig,
        catalog: configuredCatalog(["charts_metadata"]),
      });
      return ["read", "--config", files.catalog ?? "", "--catalog", files.config ?? ""];
    },
    /--config and --catalog are swapped: \S+ is a catalog and \S+ a config\. Run read --config \S+ --catalog \S+\.$/,
  ],
  [
    "a catalog as the config",
    () => [
      "check",
      "--config",
      jsonFiles({ config: configuredCatalog(["charts_metadata"]) }).config ?? "",
    ],
    /is a catalog \(it has "streams"\), not a config: give the config file \(api_key, secret_key, chart_ids\) as --config\./,
  ],
  ["check without --config", () => ["check"], /--config/],
  [
    "read without --catalog",
    () => ["read", "--config", jsonFiles({ config: goodConfig }).config ?? ""],
    /--catalog/,
  ],
  [
    "a config file that does not exist",
    () => ["check", "--config", join(tmpdir(), "no-such-dir-e2e", "config.json")],
    /no-such-dir-e2e.*no such file/,
  ],
  [
    "a config file that is not JSON",
    () => ["discover", "--config", jsonFiles({ config: `api_key: ${API_KEY}\n` }).config ?? ""],
    /not valid JSON/,
  ],
  [
    "a config file with a broken JSON object",
    () => [
      "check",
      "--config",
      jsonFiles({ config: `{"api_key": ${API_KEY}, "secret_key": "${SECRET_KEY}"}` }).config ?? "",
    ],
    /not valid JSON/,
  ],
  [
    "an empty config file",
    () => ["check", "--config", jsonFiles({ config: "" }).config ?? ""],
    /not valid JSON \(the file is empty\)/,
  ],
  [
    "a catalog file that is not JSON",
    () => {
      const files = jsonFiles({ config: goodConfig, catalog: "streams: [charts_metadata" });
      return ["read", "--config", files.config ?? "", "--catalog", files.catalog ?? ""];
    },
    /catalog.*not valid JSON/,
  ],
  [
    "a catalog file that does not exist",
    () => {
      const files = jsonFiles({ config: goodConfig });
      return ["read", "--config", files.config ?? "", "--catalog", "/nonexistent/catalog.json"];
    },
    /catalog.*no such file/,
  ],
  [
    "a config path given without --config",
    () => ["check", "my-config.json"],
    /missing --config .*\(did you mean --config my-config\.json\?\)/,
  ],
  [
    "a folder given as the config file",
    () => ["check", "--config", tmpdir()],
    /cannot read the config file .*: it is a folder, not a file/,
  ],
];

/*
 * Misuse of the command line, in process: main() returns the exit code that cli.ts sets
 * (test/e2e/cli.test.ts checks it on the process).
 */
describe.concurrent("CLI misuse", () => {
  it.each(cases)(
    "%s: exit 2, one line on stderr, a config_error TRACE on stdout",
    async (_, args, says) => {
      const result = await runInProcess(args());
      expect(result.code).toBe(2);
      const messages = parseMessages(result.stdout);
      expect(messages).toHaveLength(1);
      const [trace, ...others] = errorTraces(messages);
      expect(others).toEqual([]);
      expect(trace?.failure_type).toBe("config_error");
      expect(trace?.message).toMatch(says);
      expect(trace?.stream_descriptor).toBeUndefined();
      expect(trace?.stack_trace, "a typo needs no stack trace").toBeUndefined();
      // A human sentence on stderr: one line, no stack.
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^source-amplitude-charts: /);
      expect(lines[0]).toMatch(says);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      // Nothing secret, not even part of a key.
      for (const text of [result.stdout, result.stderr]) {
        expect(text).not.toContain(API_KEY.slice(0, 8));
        expect(text).not.toContain(API_KEY.slice(-8));
        expect(text).not.toContain(SECRET_KEY.slice(0, 8));
        expect(text).not.toContain(SECRET_KEY.slice(-8));
        expect(text).not.toContain(basic);
      }
    },
  );

  it("--help prints usage on stderr, nothing on stdout, exit 0", async () => {
    const result = await runInProcess(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/spec/);
    expect(result.stderr).toMatch(/read/);
  });

  it("--version and version print the version on stderr, nothing on stdout, exit 0", async () => {
    const { version } = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    for (const args of [["--version"], ["version"], ["read", "--version"]]) {
      const result = await runInProcess(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(`source-amplitude-charts ${version}\n`);
    }
  });

  it("help (as a command) and check --help print usage on stderr, exit 0", async () => {
    for (const args of [["help"], ["check", "--help"]]) {
      const result = await runInProcess(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/--config/);
    }
  });

  it("a config that is valid JSON but breaks the spec: config_error TRACE, exit 1", async () => {
    const files = jsonFiles({
      config: { ...goodConfig, max_concurrent_requests: 9 },
      catalog: configuredCatalog(["charts_metadata"]),
    });
    const result = await runInProcess([
      "read",
      "--config",
      files.config ?? "",
      "--catalog",
      files.catalog ?? "",
    ]);
    expect(result.code).toBe(1);
    const traces = errorTraces(parseMessages(result.stdout));
    expect(traces).toHaveLength(1);
    expect(traces[0]?.failure_type).toBe("config_error");
    expect(traces[0]?.message).toMatch(/max_concurrent_requests/);
  });
});
