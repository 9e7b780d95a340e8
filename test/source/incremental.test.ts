import { afterAll, describe, expect, it } from "vitest";
import { amplitudeCsv, dates } from "../../fake-amplitude/csv.js";
import { DATA_TABLE, FUNNEL } from "../helpers/charts.js";
import { completed, configFor, run, serve, stopFakes, timeline } from "../helpers/connector.js";
import { logs, records, type Message } from "../helpers/protocol.js";
import { catConfiguredStream } from "../helpers/run-cli.js";

/*
 * History: chart streams read incrementally, resuming from their state (the contract's
 * "History: incremental chart streams").
 */
afterAll(stopFakes);

/**
 * A daily chart of `days` days from `first`, two segments; a day's value is its day of the
 * month + 100 x the segment, unless `restated` gives Segment 0's value of that day.
 */
function dailyChart(first: string, days: number, restated: Record<string, number> = {}): string {
  const header = dates(first, days);
  return amplitudeCsv({
    title: "Daily Active Users",
    metric: [["Uniques"], ["Any Active Event"]],
    header: ["Segment", ...header],
    rows: [0, 1].map((s) => [
      `Segment ${s}`,
      ...header.map((day) => (s === 0 && restated[day]) || Number(day.slice(8)) + 100 * s),
    ]),
  });
}

const incremental = (...names: string[]) => ({
  streams: names.map((name) => catConfiguredStream(name, "incremental")),
});

const stateFor = (name: string, periodStart: string | null) => [
  {
    type: "STREAM",
    stream: { stream_descriptor: { name }, stream_state: { period_start: periodStart } },
  },
];

/** The stream states of a read, by stream. */
function states(messages: Message[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of messages) {
    if (m.type !== "STATE") continue;
    const { stream } = m.state as {
      stream: { stream_descriptor: { name: string }; stream_state: unknown };
    };
    out[stream.stream_descriptor.name] = stream.stream_state;
  }
  return out;
}

const periodsOf = (messages: Message[], stream: string): string[] => [
  ...new Set(records(messages, stream).map((r) => r.period_start as string)),
];

describe.concurrent("an incremental chart stream", () => {
  it("without a state: every record, then a state with the latest period", async () => {
    const fake = await serve({ d1: { csv: dailyChart("2026-06-01", 14) } });
    const result = await run("read", {
      config: configFor(fake, ["d1"]),
      catalog: incremental("chart_d1"),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages, "chart_d1")).toHaveLength(28);
    expect(timeline(result.messages, "chart_d1")).toEqual(completed(28));
    expect(states(result.messages)).toEqual({
      chart_d1: { period_start: "2026-06-14T00:00:00", state_version: 1 },
    });
  });

  it("with a state: the periods from lookback_days (7) before its cursor on, and says so", async () => {
    const fake = await serve({ d1: { csv: dailyChart("2026-06-01", 14) } });
    const result = await run("read", {
      config: configFor(fake, ["d1"]),
      catalog: incremental("chart_d1"),
      state: stateFor("chart_d1", "2026-06-12T00:00:00"),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(periodsOf(result.messages, "chart_d1")).toEqual(
      dates("2026-06-05", 10).map((d) => `${d}T00:00:00`),
    );
    expect(records(result.messages, "chart_d1")).toHaveLength(20);
    expect(logs(result.messages, "INFO")).toContain(
      "Chart d1: incremental, from its state (period_start 2026-06-12T00:00:00): the periods from " +
        "2026-06-05T00:00:00 on (lookback_days 7), and the values that belong to no period.",
    );
    expect(states(result.messages).chart_d1).toEqual({
      period_start: "2026-06-14T00:00:00",
      state_version: 1,
    });
  });

  it("with lookback_days 0: only the periods from the cursor on", async () => {
    const fake = await serve({ d1: { csv: dailyChart("2026-06-01", 14) } });
    const result = await run("read", {
      config: configFor(fake, ["d1"], { lookback_days: 0 }),
      catalog: incremental("chart_d1"),
      state: stateFor("chart_d1", "2026-06-13T00:00:00"),
    });
    expect(periodsOf(result.messages, "chart_d1")).toEqual([
      "2026-06-13T00:00:00",
      "2026-06-14T00:00:00",
    ]);
  });

  it("with a state far in the future: no record with a period, and still a STATE that keeps the cursor", async () => {
    const fake = await serve({ d1: { csv: dailyChart("2026-06-01", 14) } });
    const result = await run("read", {
      config: configFor(fake, ["d1"]),
      catalog: incremental("chart_d1"),
      state: stateFor("chart_d1", "2999-12-31T00:00:00"),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages, "chart_d1")).toEqual([]);
    expect(timeline(result.messages, "chart_d1")).toEqual(completed(0));
    // Never backwards: the chart's latest period is older than the cursor.
    expect(states(result.messages).chart_d1).toEqual({
      period_start: "2999-12-31T00:00:00",
      state_version: 1,
    });
  });

  it("keeps the values that belong to no period (a funnel's steps): all of them, every read", async () => {
    const fake = await serve({ [FUNNEL.id]: { csv: FUNNEL.csv } });
    const result = await run("read", {
      config: configFor(fake, [FUNNEL.id]),
      catalog: incremental(`chart_${FUNNEL.id}`),
      state: stateFor(`chart_${FUNNEL.id}`, "2999-12-31T00:00:00"),
    });
    expect(records(result.messages, `chart_${FUNNEL.id}`)).toEqual(FUNNEL.records);
    expect(states(result.messages)[`chart_${FUNNEL.id}`]).toEqual({
      period_start: "2999-12-31T00:00:00",
      state_version: 1,
    });
    const fresh = await run("read", {
      config: configFor(fake, [FUNNEL.id]),
      catalog: incremental(`chart_${FUNNEL.id}`),
    });
    expect(states(fresh.messages)[`chart_${FUNNEL.id}`]).toEqual({
      period_start: null,
      state_version: 1,
    });
  });

  it("reads a data table by its rows' Time", async () => {
    const fake = await serve({ [DATA_TABLE.id]: { csv: DATA_TABLE.csv } });
    const result = await run("read", {
      config: configFor(fake, [DATA_TABLE.id], { lookback_days: 0 }),
      catalog: incremental(`chart_${DATA_TABLE.id}`),
      state: stateFor(`chart_${DATA_TABLE.id}`, "2026-03-06T00:00:00"),
    });
    expect(records(result.messages, `chart_${DATA_TABLE.id}`)).toEqual(
      DATA_TABLE.records.filter((r) => r.period_start === "2026-03-06T00:00:00"),
    );
  });

  it("from a state it cannot read: a WARN naming the stream, and every record", async () => {
    const fake = await serve({ d1: { csv: dailyChart("2026-06-01", 14) } });
    const result = await run("read", {
      config: configFor(fake, ["d1"]),
      catalog: incremental("chart_d1"),
      state: stateFor("chart_d1", "yesterday"),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(logs(result.messages, "WARN")).toEqual([
      'The state of stream chart_d1 cannot be read (its period_start is "yesterday", not a timestamp ' +
        "YYYY-MM-DDTHH:MM:SS): it is read as if it had no state (every period the chart shows).",
    ]);
    expect(records(result.messages, "chart_d1")).toHaveLength(28);
  });
});

describe.concurrent("a full refresh chart stream", () => {
  it("ignores the state: every record; its STATE has the latest period", async () => {
    const fake = await serve({ d1: { csv: dailyChart("2026-06-01", 14) } });
    const result = await run("read", {
      config: configFor(fake, ["d1"]),
      catalog: ["chart_d1"],
      state: stateFor("chart_d1", "2026-06-12T00:00:00"),
    });
    expect(records(result.messages, "chart_d1")).toHaveLength(28);
    expect(states(result.messages).chart_d1).toEqual({
      period_start: "2026-06-14T00:00:00",
      state_version: 1,
    });
  });
});

describe("three incremental syncs of a chart whose window moves", () => {
  it("keep, deduplicated on the primary key, every day that ever was in the window", async () => {
    // "Last 7 days", synced on three days: the window moves by two days between syncs, and
    // Amplitude restates the last day of the previous window (late events).
    const windows = [
      dailyChart("2026-06-01", 7),
      dailyChart("2026-06-03", 7, { "2026-06-05": 44 }),
      dailyChart("2026-06-05", 7, { "2026-06-05": 44 }),
    ];
    const fake = await serve({ d1: { csv: windows[0] as string } });
    const table = new Map<string, Record<string, unknown>>();
    let state: unknown;
    for (const [sync, csv] of windows.entries()) {
      fake.setChart("d1", { csv });
      const result = await run("read", {
        config: configFor(fake, ["d1"], { lookback_days: 2 }),
        catalog: incremental("chart_d1"),
        ...(state !== undefined && { state }),
      });
      expect(result.code, `sync ${sync}: ${result.stderr}`).toBe(0);
      // What an Append + Deduped destination does: the latest record of each key wins.
      for (const r of records(result.messages, "chart_d1")) {
        table.set(`${String(r.dimension_value)}|${String(r.segment)}`, r);
      }
      state = result.messages.filter((m) => m.type === "STATE").map((m) => m.state);
    }
    const days = [...new Set([...table.values()].map((r) => r.segment as string))].sort();
    expect(days).toEqual(dates("2026-06-01", 11));
    // The chart shows 7 days; the table holds 11, and the restated day has its latest value.
    expect(table.get("Segment 0|2026-06-05")?.value).toBe(44);
    expect(table.size).toBe(22);
  });
});
