import { afterAll, describe, expect, it } from "vitest";
import type { Fault } from "../../fake-amplitude/server.js";
import { smallChart } from "../helpers/charts.js";
import {
  completed,
  completeLine,
  configFor,
  run,
  serve,
  StdoutWatch,
  stopFakes,
  timeline,
} from "../helpers/connector.js";
import { logs, records, type Message } from "../helpers/protocol.js";

afterAll(stopFakes);

/** Each message as "<stream> <what>": the order the streams' statuses and records came in. */
function sequence(messages: Message[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m.type === "RECORD") {
      const stream = (m.record as { stream: string }).stream;
      if (out.at(-1) !== `${stream} RECORD`) out.push(`${stream} RECORD`);
    }
    const status = (
      m.trace as
        { stream_status?: { stream_descriptor: { name: string }; status: string } } | undefined
    )?.stream_status;
    if (status) out.push(`${status.stream_descriptor.name} ${status.status}`);
    if (m.type === "LOG") {
      const received = /^Chart (\w+): received/.exec((m.log as { message: string }).message)?.[1];
      if (received !== undefined) out.push(`chart_${received} received`);
    }
  }
  return out;
}

const charts = (...ids: string[]) =>
  Object.fromEntries(ids.map((id) => [id, { csv: smallChart(`Chart ${id}`) }]));

describe.concurrent("the order of a read", () => {
  it("a chart Amplitude computes slowly holds back none of the others", async () => {
    const watch = new StdoutWatch();
    // The first chart is answered only once both others' streams are complete: a read in
    // config order would wait for ever (and the test time out).
    const slowFirst: Fault = {
      kind: "wait",
      until: () =>
        Promise.all([
          watch.shows(completeLine("chart_fastA")),
          watch.shows(completeLine("chart_fastB")),
        ]),
    };
    const fake = await serve(charts("slow1", "fastA", "fastB"), { slow1: [slowFirst] });
    const ids = ["slow1", "fastA", "fastB"];
    const result = await run("read", {
      config: configFor(fake, ids, { max_concurrent_requests: 2 }),
      catalog: [...ids.map((id) => `chart_${id}`), "charts_metadata"],
      onStdout: watch.onStdout,
    });
    expect(result.code, result.stderr).toBe(0);
    const order = sequence(result.messages);
    // Chart streams in the order their downloads ended; charts_metadata last.
    const completes = order.filter((s) => s.endsWith("COMPLETE"));
    expect(completes).toEqual([
      "chart_fastA COMPLETE",
      "chart_fastB COMPLETE",
      "chart_slow1 COMPLETE",
      "charts_metadata COMPLETE",
    ]);
    // Each stream's records in one run, never interleaved with another's.
    const runs = order.filter((s) => s.endsWith("RECORD"));
    expect(runs).toEqual([...new Set(runs)]);
    expect(runs).toHaveLength(4);
    // STARTED when the chart's download begins: fastB's waits for a free slot (fastA's
    // download ending), charts_metadata's for its turn.
    expect(order.indexOf("chart_fastB STARTED")).toBeGreaterThan(
      order.indexOf("chart_fastA received"),
    );
    expect(order.indexOf("charts_metadata STARTED")).toBeGreaterThan(
      order.indexOf("chart_slow1 COMPLETE"),
    );
    expect(order.indexOf("chart_slow1 STARTED")).toBeLessThan(order.indexOf("chart_fastA RECORD"));
    // charts_metadata lists the charts in config order, whatever order they came in.
    expect(records(result.messages, "charts_metadata").map((r) => r.chart_id)).toEqual(ids);
    for (const id of ids) expect(timeline(result.messages, `chart_${id}`)).toEqual(completed(6));
  });

  it("a chart that fails first does not stop the others, which keep their order", async () => {
    const fake = await serve(charts("ok1", "ok2"), {
      gone1: [{ kind: "status", status: 404 }],
    });
    const result = await run("read", {
      config: configFor(fake, ["ok1", "gone1", "ok2"], { max_concurrent_requests: 1 }),
      catalog: ["chart_ok1", "chart_gone1", "chart_ok2"],
    });
    expect(result.code).toBe(1);
    // With one download at a time, downloads end in config order.
    expect(sequence(result.messages).filter((s) => /COMPLETE|INCOMPLETE/.test(s))).toEqual([
      "chart_ok1 COMPLETE",
      "chart_gone1 INCOMPLETE",
      "chart_ok2 COMPLETE",
    ]);
  });
});

describe.concurrent("rate limits", () => {
  it("each 429 gives the stream a RUNNING status with RATE_LIMITED and the next attempt's time", async () => {
    const fake = await serve(charts("busy1"), {
      busy1: [
        { kind: "status", status: 429, retryAfter: "600", details: "Exceeded concurrent limit" },
        { kind: "status", status: 429, details: "Exceeded rate limit with query of cost 1200" },
        { kind: "status", status: 503 },
      ],
    });
    const result = await run("read", {
      config: configFor(fake, ["busy1"]),
      catalog: ["chart_busy1"],
    });
    expect(result.code, result.stderr).toBe(0);
    // Two 429s, two RATE_LIMITED statuses; the 503 is retried without one.
    expect(timeline(result.messages, "chart_busy1")).toEqual([
      "STARTED",
      "RUNNING(RATE_LIMITED)",
      "RUNNING(RATE_LIMITED)",
      ...completed(6).slice(1),
    ]);
    const limited = result.messages
      .map(
        (m) =>
          m.trace as { emitted_at: number; stream_status?: { reasons?: unknown[] } } | undefined,
      )
      .filter((t) => t !== undefined) // only TRACE messages have a trace
      .filter((t) => t.stream_status?.reasons !== undefined);
    const [first, second] = limited.map((t) => ({
      at: t.emitted_at,
      reasons: t.stream_status?.reasons as {
        type: string;
        rate_limited: { quota_reset: number };
      }[],
    }));
    expect(first?.reasons).toEqual([
      { type: "RATE_LIMITED", rate_limited: { quota_reset: expect.any(Number) } },
    ]);
    // quota_reset is the epoch ms of the next attempt, the status dated when the wait began
    // (the tests shrink the sleep itself, not the wait the policy decides): Retry-After's 600 s...
    const untilFirst = (first?.reasons[0]?.rate_limited.quota_reset ?? 0) - (first?.at ?? 0);
    expect(untilFirst).toBe(600_000);
    // ... and the backoff's second wait (4 s +-20 %) for the 429 without one.
    const untilSecond = (second?.reasons[0]?.rate_limited.quota_reset ?? 0) - (second?.at ?? 0);
    expect(untilSecond).toBeGreaterThanOrEqual(3_200);
    expect(untilSecond).toBeLessThanOrEqual(4_800);
    expect(Number.isInteger(first?.reasons[0]?.rate_limited.quota_reset)).toBe(true);
  });

  it("a chart only charts_metadata wants gives no chart stream a status", async () => {
    const fake = await serve(charts("busy2"), { busy2: [{ kind: "status", status: 429 }] });
    const result = await run("read", {
      config: configFor(fake, ["busy2"]),
      catalog: ["charts_metadata"],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(timeline(result.messages, "chart_busy2")).toEqual([]);
    expect(timeline(result.messages, "charts_metadata")).toEqual(completed(1));
    expect(logs(result.messages, "WARN").join("\n")).toMatch(
      /busy2: attempt 1 failed with HTTP 429/,
    );
  });
});
