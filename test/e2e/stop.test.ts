import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { smallChart } from "../helpers/charts.js";
import { configFor, serve, stopFakes } from "../helpers/connector.js";
import { parseMessages } from "../helpers/protocol.js";
import { CLI, configuredCatalog, jsonFiles } from "../helpers/run-cli.js";

/*
 * The built CLI stopped from outside, as a user or the platform stops it: SIGTERM, SIGINT,
 * and a reader that closes stdout. The same stops, in process: test/source/stop.test.ts.
 */
afterAll(stopFakes);

const scratch = mkdtempSync(join(tmpdir(), "stop-e2e-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

interface Stopped {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the signal to the process's exit. */
  stopMs: number;
  spoolIn: string;
}

/**
 * Reads a large chart with the CLI and, once its records flow, stops it: with `signal`,
 * or by closing stdout after the first piece (`signal` undefined).
 */
async function readAndStop(signal: "SIGTERM" | "SIGINT" | undefined): Promise<Stopped> {
  const fake = await serve({ big1: { csv: smallChart("Big", 200_000) } });
  const files = jsonFiles({
    config: configFor(fake, ["big1"]),
    catalog: configuredCatalog(["chart_big1"]),
  });
  const spoolIn = mkdtempSync(join(scratch, "spool-"));
  const child = spawn(
    process.execPath,
    [CLI, "read", "--config", files.config ?? "", "--catalog", files.catalog ?? ""],
    { env: { ...process.env, TMPDIR: spoolIn }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  let signalledAt = 0;
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    if (signalledAt === 0 && stdout.includes('"type":"RECORD"')) {
      signalledAt = Date.now();
      if (signal) child.kill(signal);
      else child.stdout.destroy();
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr, stopMs: Date.now() - signalledAt, spoolIn };
}

describe("the CLI stopped from outside", () => {
  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)(
    "%s: exits %i within 5 s, lines whole, one LOG line, the spool removed",
    async (signal, code) => {
      const stopped = await readAndStop(signal);
      expect(stopped.code, stopped.stderr).toBe(code);
      expect(stopped.stopMs).toBeLessThan(5_000);
      // Every line parses: none was cut.
      const messages = parseMessages(stopped.stdout);
      expect(messages.at(-1)?.log).toMatchObject({
        level: "WARN",
        message: expect.stringMatching(`^The read stopped: the connector received ${signal} `),
      });
      expect(stopped.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(readdirSync(stopped.spoolIn)).toEqual([]);
    },
    30_000,
  );

  it("stdout closed by its reader: one line on stderr, no stack trace, exit 141, the spool removed", async () => {
    const stopped = await readAndStop(undefined);
    expect(stopped.code).toBe(141);
    expect(stopped.stderr).toBe(
      "source-amplitude-charts: stdout was closed by its reader (EPIPE): the read stopped.\n",
    );
    expect(readdirSync(stopped.spoolIn)).toEqual([]);
  }, 30_000);
});
