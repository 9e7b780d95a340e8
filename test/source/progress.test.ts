import { afterAll, describe, expect, it } from "vitest";
import { smallChart } from "../helpers/charts.js";
import {
  StdoutWatch,
  completed,
  configFor,
  run,
  serve,
  stopFakes,
  timeline,
} from "../helpers/connector.js";
import { logs, type Message } from "../helpers/protocol.js";

afterAll(stopFakes);

const waitingLines = (messages: Message[]): string[] =>
  logs(messages, "INFO").filter((l) => l.startsWith("Waiting on Amplitude"));

/*
 * The "Waiting on Amplitude" line on an injected interval; test/e2e/progress.test.ts waits
 * for the real 30 s once.
 */
describe.concurrent("a read that waits on Amplitude says so", () => {
  it("again and again while a chart computes, until it answers", async () => {
    const watch = new StdoutWatch();
    const twoLines = watch.shows(/Waiting on Amplitude[^\n]*\n[^]*Waiting on Amplitude/);
    const fake = await serve(
      { slow1: { csv: smallChart("Slow") } },
      // Amplitude answers once the connector has said twice that it waits.
      { slow1: [{ kind: "wait", until: () => twoLines }] },
    );
    const result = await run("read", {
      config: configFor(fake, ["slow1"]),
      catalog: ["chart_slow1"],
      timing: { progressEveryMs: 20 },
      onStdout: watch.onStdout,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(timeline(result.messages, "chart_slow1")).toEqual(completed(6));
    const lines = waitingLines(result.messages);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatch(
        /^Waiting on Amplitude for 1 chart\(s\): slow1 \(requested \d+ s ago, no answer yet\)\. Amplitude computes a chart when it is asked for; large charts take minutes\.$/,
      );
    }
    // Nothing after the chart's records: the read no longer waits.
    const lastWait = result.messages.findLastIndex(
      (m) => m.type === "LOG" && waitingLines([m]).length > 0,
    );
    const firstRecord = result.messages.findIndex((m) => m.type === "RECORD");
    expect(lastWait).toBeLessThan(firstRecord);
  });

  it("during a retry's wait, naming the reason and the next attempt", async () => {
    const fake = await serve(
      { busy1: { csv: smallChart("Busy") } },
      {
        busy1: [
          { kind: "status", status: 429, retryAfter: "600", details: "Exceeded concurrent limit" },
        ],
      },
    );
    const result = await run("read", {
      config: configFor(fake, ["busy1"]),
      catalog: ["chart_busy1"],
      // Tests shrink waits a thousandfold: the 600 s wait takes 0.6 s, reported every 0.1 s.
      timing: { progressEveryMs: 100 },
    });
    expect(result.code, result.stderr).toBe(0);
    // A line may come while the first attempt is in flight; one comes during the wait (the
    // 0.1 s interval falls due before the 0.6 s wait ends, whatever the machine's speed).
    const during = waitingLines(result.messages).filter((l) => l.includes("waiting to retry"));
    expect(during.length).toBeGreaterThan(0);
    expect(during[0]).toMatch(
      /busy1 \(waiting to retry after HTTP 429: Too many requests: Exceeded concurrent limit; next attempt in \d+( min( \d+ s)?| s), \d+ s since its first request\)/,
    );
  });

  it("and says nothing when nothing is awaited", async () => {
    const fake = await serve({ quick1: { csv: smallChart("Quick") } });
    const result = await run("read", {
      config: configFor(fake, ["quick1"]),
      catalog: ["chart_quick1"],
      timing: { progressEveryMs: 1 },
    });
    expect(result.code, result.stderr).toBe(0);
    // A 1 ms interval would show any line written while nothing was awaited.
    for (const line of waitingLines(result.messages)) expect(line).toMatch(/quick1 \(requested/);
  });
});
