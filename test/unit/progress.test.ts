import { afterEach, describe, expect, it, vi } from "vitest";
import { WaitReport } from "../../src/source/progress.js";

/** A report on a hand-moved clock, and the LOG lines it wrote. */
function report() {
  let now = 1_000_000;
  const lines: string[] = [];
  const waits = new WaitReport(
    async (_level, message) => void lines.push(message),
    30_000,
    () => now,
  );
  return {
    waits,
    advance: (ms: number) => (now += ms),
    now: () => now,
    lines: () => lines,
  };
}

describe("the waiting report", () => {
  it("says nothing while no chart is awaited", async () => {
    const r = report();
    await r.waits.report();
    r.waits.requesting("a1");
    r.waits.done("a1");
    await r.waits.report();
    expect(r.lines()).toEqual([]);
  });

  it("names each chart awaited and how long it has been waited on", async () => {
    const r = report();
    r.waits.requesting("slow1");
    r.advance(40_000);
    r.waits.requesting("other2");
    r.advance(35_000);
    await r.waits.report();
    expect(r.lines()).toEqual([
      "Waiting on Amplitude for 2 chart(s): slow1 (requested 1 min 15 s ago, no answer yet); " +
        "other2 (requested 35 s ago, no answer yet). Amplitude computes a chart when it is asked for; large charts take minutes.",
    ]);
  });

  it("tells a retry's wait from a request in flight, counting from the first request", async () => {
    const r = report();
    r.waits.requesting("busy1");
    r.advance(5_000);
    r.waits.retrying("busy1", {
      attempt: 1,
      reason: "HTTP 429: Too many requests",
      status: 429,
      waitMs: 60_000,
      at: r.now(),
      nextAttemptAt: r.now() + 60_000,
      serverAskedWait: true,
    });
    r.advance(25_000);
    await r.waits.report();
    expect(r.lines()[0]).toContain(
      "busy1 (waiting to retry after HTTP 429: Too many requests; next attempt in 35 s, 30 s since its first request)",
    );
    r.advance(35_000);
    r.waits.requesting("busy1"); // the retry's attempt
    r.advance(10_000);
    await r.waits.report();
    expect(r.lines()[1]).toContain("busy1 (requested 1 min 15 s ago, no answer yet)");
  });

  describe("on its timer", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it("writes a line every period, and a line that cannot be written fails nothing", async () => {
      vi.useFakeTimers();
      let calls = 0;
      const waits = new WaitReport(() => {
        calls++;
        return Promise.reject(new Error("stdout is gone"));
      }, 1_000);
      waits.requesting("a1");
      waits.start();
      // A rejection left unhandled here would fail the run (vitest reports it as an error).
      await vi.advanceTimersByTimeAsync(2_500);
      waits.stop();
      await vi.advanceTimersByTimeAsync(2_000);
      expect(calls).toBe(2);
    });
  });
});
