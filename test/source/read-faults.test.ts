import { afterAll, describe, expect, it } from "vitest";
import type { Fault } from "../../fake-amplitude/server.js";
import { errorTraces, logs, records, type Message } from "../helpers/protocol.js";
import { periodOf, FUNNEL, WAU, smallChart, smallChartRecords } from "../helpers/charts.js";
import { completed, configFor, run, serve, timeline, stopFakes } from "../helpers/connector.js";

afterAll(stopFakes);

const ROWS = 40;
const CSV = smallChart("Faulty", ROWS);
const EXPECTED = smallChartRecords(ROWS).map(([dimension_value, segment, value]) => ({
  chart_id: "flaky1",
  dimension_name: "Segment",
  dimension_value,
  segment,
  value,
  dimensions: { Segment: dimension_value },
  period_start: periodOf(segment),
}));
/** The body the fake sends for CSV in its JSON envelope. */
const ENVELOPE = JSON.stringify({ data: CSV });

async function readFlaky(faults: Fault[], extra: Record<string, unknown> = {}) {
  const fake = await serve({ flaky1: { csv: CSV } }, { flaky1: faults });
  const result = await run("read", {
    config: configFor(fake, ["flaky1"], extra),
    catalog: ["chart_flaky1"],
  });
  return { fake, result, messages: result.messages };
}

const warnings = (messages: Message[]): string => logs(messages, "WARN").join("\n");

/**
 * A body that cannot be used fails its stream before any record: non-zero exit, no records,
 * STARTED then INCOMPLETE and a system_error on chart_flaky1. Returns the error's message.
 */
function expectUnusableBody(result: { code: number | null }, messages: Message[]): string {
  expect(result.code).not.toBe(0);
  expect(records(messages)).toEqual([]);
  expect(timeline(messages, "chart_flaky1")).toEqual([
    "STARTED",
    "INCOMPLETE",
    "ERROR(system_error)",
  ]);
  const trace = errorTraces(messages)[0];
  expect(trace?.stream_descriptor).toEqual({ name: "chart_flaky1" });
  expect(trace?.message).toMatch(/flaky1/);
  return trace?.message ?? "";
}

describe.concurrent("read: retried failures deliver every record exactly once", () => {
  it.each([
    ["delta-seconds", "2"],
    ["an HTTP date", new Date(Date.now() + 3_000).toUTCString()],
  ])("429 with Retry-After as %s, then success", async (_, retryAfter) => {
    const { fake, result, messages } = await readFlaky([
      {
        kind: "status",
        status: 429,
        retryAfter,
        message: "Too many requests",
        details: "Exceeded concurrent limit for project.",
      },
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(records(messages)).toEqual(EXPECTED);
    expect(fake.requestsFor("flaky1")).toHaveLength(2);
    // The platform is told the stream waits on a rate limit, and until when.
    expect(timeline(messages, "chart_flaky1")).toEqual([
      "STARTED",
      "RUNNING(RATE_LIMITED)",
      ...completed(EXPECTED.length).slice(1),
    ]);
    // The LOG line says it retries, and why.
    const said = warnings(messages);
    expect(said).toMatch(/flaky1/);
    expect(said).toMatch(/retry/i);
    expect(said).toMatch(/429/);
    expect(said).toMatch(/Exceeded concurrent limit/);
    expect(said).toMatch(/Retry-After/);
  });

  it("a Retry-After beyond 10 minutes is capped at 10 minutes", async () => {
    const { fake, result, messages } = await readFlaky([
      { kind: "status", status: 429, retryAfter: "86400" },
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(records(messages)).toEqual(EXPECTED);
    expect(fake.requestsFor("flaky1")).toHaveLength(2);
    expect(warnings(messages)).toMatch(/ in 600(\.0)? s/);
  });

  it("500, 503 and 504 in a row, then success", async () => {
    const { fake, result, messages } = await readFlaky([
      { kind: "status", status: 500 },
      { kind: "status", status: 503 },
      { kind: "status", status: 504 },
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(records(messages)).toEqual(EXPECTED);
    expect(fake.requestsFor("flaky1")).toHaveLength(4);
    expect(timeline(messages, "chart_flaky1")).toEqual(completed(EXPECTED.length));
    const retries = logs(messages, "WARN").filter((l) => /retry/i.test(l));
    expect(retries).toHaveLength(3);
    expect(retries[0]).toMatch(/500/);
    expect(retries[1]).toMatch(/503/);
    expect(retries[2]).toMatch(/504/);
  });

  it("a connection cut mid-body, then success: no record twice, none lost", async () => {
    const { fake, result, messages } = await readFlaky([
      { kind: "cut", afterBytes: Math.floor(ENVELOPE.length / 2) },
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(records(messages)).toEqual(EXPECTED);
    expect(fake.requestsFor("flaky1")).toHaveLength(2);
    expect(timeline(messages, "chart_flaky1")).toEqual(completed(EXPECTED.length));
    expect(warnings(messages)).toMatch(/retry/i);
  });

  it("a connection cut before any byte of the body, then success", async () => {
    const { fake, result, messages } = await readFlaky([{ kind: "cut", afterBytes: 0 }]);
    expect(result.code, result.stderr).toBe(0);
    expect(records(messages)).toEqual(EXPECTED);
    expect(fake.requestsFor("flaky1")).toHaveLength(2);
  });

  it("an answer slower than request_timeout_seconds, then success", async () => {
    // The first attempt never gets an answer: only giving up on it lets the read succeed.
    const { fake, result, messages } = await readFlaky([{ kind: "hang" }], {
      request_timeout_seconds: 1,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(records(messages)).toEqual(EXPECTED);
    const [first, second] = fake.requestsFor("flaky1");
    expect(fake.requestsFor("flaky1")).toHaveLength(2);
    expect(warnings(messages)).toMatch(/no complete answer within 1 s \(request_timeout_seconds\)/);
    // ... and not long before its time was up (the margin is for a busy machine, on which
    // the first request may reach the fake late).
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(500);
  });

  it("a body that stalls mid-transfer past request_timeout_seconds, then success", async () => {
    const { fake, result, messages } = await readFlaky(
      [{ kind: "hang-mid-body", afterBytes: Math.floor(ENVELOPE.length / 3) }],
      { request_timeout_seconds: 1 },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(records(messages)).toEqual(EXPECTED);
    expect(fake.requestsFor("flaky1")).toHaveLength(2);
    expect(warnings(messages)).toMatch(/request_timeout_seconds/);
  });
});

describe.concurrent("read: failures that end a stream", () => {
  it("retries run out: INCOMPLETE + transient_error for that stream; the others complete", async () => {
    const fake = await serve(
      { flaky1: { csv: CSV }, [WAU.id]: { csv: WAU.csv } },
      { flaky1: Array.from({ length: 10 }, (): Fault => ({ kind: "status", status: 503 })) },
    );
    const result = await run("read", {
      config: configFor(fake, ["flaky1", WAU.id]),
      catalog: ["chart_flaky1", `chart_${WAU.id}`, "charts_metadata"],
    });
    expect(result.code).not.toBe(0);
    const { messages } = result;
    // Five retries by default: six attempts in all.
    expect(fake.requestsFor("flaky1")).toHaveLength(6);
    expect(timeline(messages, "chart_flaky1")).toEqual([
      "STARTED",
      "INCOMPLETE",
      "ERROR(transient_error)",
    ]);
    const [trace, ...more] = errorTraces(messages);
    expect(more).toEqual([]);
    expect(trace?.stream_descriptor).toEqual({ name: "chart_flaky1" });
    expect(trace?.message).toMatch(/flaky1/);
    expect(trace?.message).toMatch(/503/);
    expect(trace?.message).toMatch(/again/);
    const retries = logs(messages, "WARN").filter((l) => /retry/i.test(l));
    expect(retries).toHaveLength(5);
    // The announced waits: about 2 s, doubling, with jitter (tests shrink the real sleep).
    const waits = retries.map((l) => Number(/ in (\d+(?:\.\d+)?) s/.exec(l)?.[1]));
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(2 * 2 ** i * 0.75);
      expect(wait).toBeLessThanOrEqual(2 * 2 ** i * 1.25);
    });
    // The other streams go on.
    expect(records(messages, `chart_${WAU.id}`)).toEqual(WAU.records);
    expect(timeline(messages, `chart_${WAU.id}`)).toEqual(completed(WAU.records.length));
    expect(records(messages, "charts_metadata")).toEqual([WAU.metadata]);
    expect(timeline(messages, "charts_metadata")).toEqual(completed(1));
    expect(result.stderr).toMatch(/failed streams/);
  });

  it("an unreachable host: transient_error after the retries", async () => {
    const fake = await serve({});
    const url = fake.baseUrl;
    await fake.stop(); // nothing listens there any more
    const result = await run("read", {
      config: configFor(url, ["gone1"]),
      catalog: ["chart_gone1"],
    });
    expect(result.code).not.toBe(0);
    expect(timeline(result.messages, "chart_gone1")).toEqual([
      "STARTED",
      "INCOMPLETE",
      "ERROR(transient_error)",
    ]);
    const message = errorTraces(result.messages)[0]?.message ?? "";
    expect(message).toMatch(/gone1/);
    // Nothing ever answered: the advice is about base_url and the network, not Amplitude's limits.
    expect(message).toMatch(/Nothing answered at 127\.0\.0\.1:\d+: check base_url/);
    expect(message).not.toMatch(/over its limits/);
    expect(logs(result.messages, "WARN").filter((l) => /retry/i.test(l))).toHaveLength(5);
  });

  it.each([
    [400, "Invalid chart", "Segment by property 'foo' no longer exists.", /rejected/],
    [401, "Invalid API key", "Invalid Api-Key or Secret-Key provided.", /data_region/],
    [403, "Forbidden", "This chart belongs to another project.", /data_region/],
    [404, "Chart not found", "No chart with id flaky1 in this project.", /not found/],
  ])(
    "HTTP %i is not retried: config_error naming the chart",
    async (status, message, details, fix) => {
      const fake = await serve(
        { flaky1: { csv: CSV }, [WAU.id]: { csv: WAU.csv } },
        { flaky1: [{ kind: "status", status, message, details }] },
      );
      const result = await run("read", {
        config: configFor(fake, ["flaky1", WAU.id]),
        catalog: ["chart_flaky1", `chart_${WAU.id}`],
      });
      expect(result.code).not.toBe(0);
      expect(fake.requestsFor("flaky1")).toHaveLength(1);
      expect(timeline(result.messages, "chart_flaky1")).toEqual([
        "STARTED",
        "INCOMPLETE",
        "ERROR(config_error)",
      ]);
      const trace = errorTraces(result.messages)[0];
      expect(trace?.stream_descriptor).toEqual({ name: "chart_flaky1" });
      expect(trace?.message).toMatch(/flaky1/);
      expect(trace?.message).toContain(String(status));
      expect(trace?.message).toContain(message);
      expect(trace?.message).toContain(details);
      expect(trace?.message).toMatch(fix);
      expect(records(result.messages, "chart_flaky1")).toEqual([]);
      expect(timeline(result.messages, `chart_${WAU.id}`)).toEqual(completed(WAU.records.length));
    },
  );

  it("wrong keys: config_error that mentions data_region, one request", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } }, {}, { apiKey: "other-project-key" });
    const result = await run("read", {
      config: configFor(fake, [WAU.id]),
      catalog: [`chart_${WAU.id}`],
    });
    expect(result.code).not.toBe(0);
    expect(fake.requests).toHaveLength(1);
    const trace = errorTraces(result.messages)[0];
    expect(trace?.failure_type).toBe("config_error");
    expect(trace?.message).toMatch(/data_region/);
    expect(trace?.message).toMatch(/401/);
  });

  it("an HTML page instead of data: system_error naming the chart, showing what came", async () => {
    const { fake, result, messages } = await readFlaky([{ kind: "html" }]);
    const message = expectUnusableBody(result, messages);
    expect(fake.requestsFor("flaky1")).toHaveLength(1);
    expect(message).toMatch(/HTML/);
    expect(message).toContain("<!DOCTYPE html>");
  });

  it("an empty body: system_error naming the chart", async () => {
    const { result, messages } = await readFlaky([{ kind: "truncated", keepBytes: 0 }]);
    expect(expectUnusableBody(result, messages)).toMatch(/flaky1.*empty/);
  });

  it("a JSON envelope cut short: system_error naming the chart, showing what came, no records", async () => {
    const { result, messages } = await readFlaky([{ kind: "truncated", keepBytes: 120 }]);
    const message = expectUnusableBody(result, messages);
    expect(message).toMatch(/cut short/);
    expect(message).toContain('{"data":"');
  });

  it("raw CSV cut inside a quoted cell: system_error naming the chart; no record twice", async () => {
    const cutAt = CSV.indexOf("Segment 7") + 4; // inside the quoted label of the 8th row
    const fake = await serve(
      { flaky1: { csv: CSV, raw: true } },
      { flaky1: [{ kind: "truncated", keepBytes: cutAt }] },
    );
    const result = await run("read", {
      config: configFor(fake, ["flaky1"]),
      catalog: ["chart_flaky1"],
    });
    expect(result.code).not.toBe(0);
    const got = records(result.messages);
    // Whatever came before the cut, each record at most once, in order, as a prefix.
    expect(got).toEqual(EXPECTED.slice(0, got.length));
    expect(got.length).toBeLessThanOrEqual(7 * 3);
    const trace = errorTraces(result.messages)[0];
    expect(trace?.failure_type).toBe("system_error");
    expect(trace?.stream_descriptor).toEqual({ name: "chart_flaky1" });
    expect(trace?.message).toMatch(/flaky1/);
    expect(trace?.message).toMatch(/cut short|ends inside/);
    expect(trace?.message).toContain("Segm");
    expect(timeline(result.messages, "chart_flaky1").slice(-2)).toEqual([
      "INCOMPLETE",
      "ERROR(system_error)",
    ]);
  });

  it("only charts_metadata selected and a chart fails: that stream ends INCOMPLETE", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv }, [FUNNEL.id]: { csv: FUNNEL.csv } });
    const result = await run("read", {
      config: configFor(fake, ["missing9", WAU.id, FUNNEL.id]),
      catalog: ["charts_metadata"],
    });
    expect(result.code).not.toBe(0);
    expect(records(result.messages, "charts_metadata")).toEqual([WAU.metadata, FUNNEL.metadata]);
    expect(timeline(result.messages, "charts_metadata")).toEqual([
      "STARTED",
      "RUNNING",
      "RECORD*2",
      "INCOMPLETE",
      "ERROR(config_error)",
    ]);
    expect(errorTraces(result.messages)[0]?.message).toMatch(/missing9/);
    expect(fake.requests).toHaveLength(3);
  });
});
