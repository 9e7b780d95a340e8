import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { Interrupted } from "../../src/errors.js";
import { smallChart } from "../helpers/charts.js";
import { StdoutWatch, configFor, run, serve, stopFakes, timeline } from "../helpers/connector.js";
import { errorTraces, logs, parseMessages } from "../helpers/protocol.js";

/*
 * A command stopped from outside, in process: the abort cli.ts makes of SIGTERM and SIGINT,
 * and stdout closed by its reader. test/e2e/stop.test.ts sends the real signals to the CLI.
 */
afterAll(stopFakes);

const scratch = mkdtempSync(join(tmpdir(), "stop-test-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe.concurrent("a read stopped from outside", () => {
  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)(
    "by %s: the downloads stop, the spool goes, one LOG line says why, exit %i",
    async (name, code) => {
      const spoolIn = mkdtempSync(join(scratch, "spool-"));
      const stop = new AbortController();
      const watch = new StdoutWatch();
      // chart_done1 is read whole; chart_slow1's download hangs until the stop.
      const fake = await serve(
        { done1: { csv: smallChart("Done") }, slow1: { csv: smallChart("Slow") } },
        { slow1: [{ kind: "hang" }] },
      );
      void watch
        .shows(/"name":"chart_done1"\},"status":"COMPLETE"/)
        .then(() => stop.abort(new Interrupted(name)));
      const result = await run("read", {
        config: configFor(fake, ["done1", "slow1"], { max_concurrent_requests: 2 }),
        catalog: ["chart_done1", "chart_slow1"],
        env: { TMPDIR: spoolIn },
        onStdout: watch.onStdout,
        signal: stop.signal,
      });
      expect(result.code).toBe(code);
      expect(timeline(result.messages, "chart_done1")).toEqual([
        "STARTED",
        "RUNNING",
        "RECORD*6",
        "STATE(6)",
        "COMPLETE",
      ]);
      // No failure is reported for the stream it was waiting on: it was stopped, not failed.
      expect(timeline(result.messages, "chart_slow1")).toEqual(["STARTED"]);
      expect(errorTraces(result.messages)).toEqual([]);
      const why =
        `The read stopped: the connector received ${name} (a stop from the platform or a user). ` +
        "The chart bodies it had downloaded were removed, and every message written before is whole; " +
        "run the sync again to read the charts.";
      expect(logs(result.messages, "WARN")).toEqual([why]);
      expect(result.messages.at(-1)?.log).toEqual({ level: "WARN", message: why });
      expect(result.stderr).toBe(`source-amplitude-charts: ${why}\n`);
      expect(readdirSync(spoolIn)).toEqual([]);
    },
  );

  it("by a reader that closes stdout (EPIPE): one line on stderr, no stack, exit 141", async () => {
    const spoolIn = mkdtempSync(join(scratch, "spool-"));
    const rows = 2_000;
    const fake = await serve({ big1: { csv: smallChart("Big", rows) } });
    // A reader that takes the first writes, then goes away.
    let taken = "";
    let writes = 0;
    const reader = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (++writes > 3) {
          done(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
          return;
        }
        taken += chunk.toString();
        done();
      },
    });
    const result = await run("read", {
      config: configFor(fake, ["big1"]),
      catalog: ["chart_big1"],
      env: { TMPDIR: spoolIn },
      stdout: reader,
    });
    expect(result.code).toBe(141);
    expect(result.stderr).toBe(
      "source-amplitude-charts: stdout was closed by its reader (EPIPE): the read stopped.\n",
    );
    // What the reader took is whole lines, far fewer than the chart's records.
    const messages = parseMessages(taken);
    expect(messages.filter((m) => m.type === "RECORD").length).toBeLessThan(rows * 3);
    expect(readdirSync(spoolIn)).toEqual([]);
  });
});
