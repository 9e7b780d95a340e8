import { afterAll, describe, expect, it } from "vitest";
import { smallChart } from "../helpers/charts.js";
import { completed, configFor, run, serve, stopFakes, timeline } from "../helpers/connector.js";
import { logs, type Message } from "../helpers/protocol.js";

afterAll(stopFakes);

const waitingLines = (messages: Message[]): string[] =>
  logs(messages, "INFO").filter((l) => l.startsWith("Waiting on Amplitude"));

describe.concurrent("a read that waits on Amplitude says so", () => {
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
      env: { SOURCE_AMPLITUDE_CHARTS_PROGRESS_MS: "100" },
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
      env: { SOURCE_AMPLITUDE_CHARTS_PROGRESS_MS: "1" },
    });
    expect(result.code, result.stderr).toBe(0);
    // A 1 ms interval would show any line written while nothing was awaited.
    for (const line of waitingLines(result.messages)) expect(line).toMatch(/quick1 \(requested/);
  });
});
