import { afterAll, describe, expect, it } from "vitest";
import { smallChart } from "../helpers/charts.js";
import { completed, configFor, run, serve, stopFakes, timeline } from "../helpers/connector.js";
import { logs, type Message } from "../helpers/protocol.js";

afterAll(stopFakes);

const waitingLines = (messages: Message[]): string[] =>
  logs(messages, "INFO").filter((l) => l.startsWith("Waiting on Amplitude"));

/*
 * The progress line on the real clock: the built CLI, its default 30-s interval. The same
 * behaviour runs on an injected interval in test/source/progress.test.ts.
 */
describe("a read that waits on Amplitude says so", () => {
  it("every 30 s while a chart computes for over a minute (the built CLI, its default interval)", async () => {
    const fake = await serve(
      { slow1: { csv: smallChart("Slow") } },
      { slow1: [{ kind: "slow", delayMs: 65_000 }] },
    );
    const result = await run("read", {
      config: configFor(fake, ["slow1"]),
      catalog: ["chart_slow1"],
      via: "cli",
      timeoutMs: 150_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(timeline(result.messages, "chart_slow1")).toEqual(completed(6));
    const lines = waitingLines(result.messages);
    // At 30 s and 60 s; never more often than every 30 s.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^Waiting on Amplitude for 1 chart\(s\): slow1 \(requested [23]\d s ago, no answer yet\)/,
    );
    expect(lines[1]).toMatch(/slow1 \(requested (5\d s|1 min( \d+ s)?) ago/);
  }, 150_000);
});
