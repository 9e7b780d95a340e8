import { describe, expect, it } from "vitest";
import { readState } from "../../src/config/state.js";

const STREAMS = new Set(["charts_metadata", "chart_a1", "chart_b2"]);
const CURSORLESS = new Set(["charts_metadata"]);

const streamState = (name: string, state: unknown): unknown => ({
  type: "STREAM",
  stream: { stream_descriptor: { name }, stream_state: state },
});

const read = (raw: unknown) => readState(raw, STREAMS, CURSORLESS);

describe("the --state file", () => {
  it("gives each chart stream's period_start, from a list of STREAM states or from one", () => {
    const list = read([
      streamState("chart_a1", { period_start: "2026-06-14T00:00:00", state_version: 1 }),
      streamState("chart_b2", { period_start: "2026-06-01" }),
      streamState("charts_metadata", {}),
    ]);
    expect(list).toEqual({
      cursors: new Map([
        ["chart_a1", "2026-06-14T00:00:00"],
        ["chart_b2", "2026-06-01T00:00:00"],
      ]),
      warnings: [],
    });
    expect(read(streamState("chart_a1", { period_start: "2026-06-14T00:00:00" })).cursors).toEqual(
      new Map([["chart_a1", "2026-06-14T00:00:00"]]),
    );
  });

  it("is nothing when absent, and a stream without a period (null) has no cursor, silently", () => {
    expect(read(undefined)).toEqual({ cursors: new Map(), warnings: [] });
    expect(read([streamState("chart_a1", { period_start: null })])).toEqual({
      cursors: new Map(),
      warnings: [],
    });
  });

  it("that it cannot read never fails: a WARN names the stream, which is read as if it had no state", () => {
    const state = read([
      streamState("chart_a1", { period_start: "last tuesday" }),
      streamState("chart_b2", "not an object"),
      streamState("chart_zz", { period_start: "2026-06-14T00:00:00" }),
      { type: "LEGACY", data: { chart_a1: {} } },
      { type: "STREAM", stream: { stream_state: {} } },
    ]);
    expect(state.cursors).toEqual(new Map());
    expect(state.warnings).toEqual([
      'The state of stream chart_a1 cannot be read (its period_start is "last tuesday", not a timestamp YYYY-MM-DDTHH:MM:SS): ' +
        "it is read as if it had no state (every period the chart shows).",
      'The state of stream chart_b2 cannot be read (its period_start is "not an object", not a timestamp YYYY-MM-DDTHH:MM:SS): ' +
        "it is read as if it had no state (every period the chart shows).",
      'The state of stream "chart_zz" is ignored: chart_zz is not a stream of this config (a state from other chart_ids?).',
      "The state's entry 3 is not a STREAM state (type LEGACY): it is ignored, and the streams it may be for are " +
        "read as if they had no state (every period the charts show). This connector reads and writes per-stream states.",
      "The state's entry 4 names no stream: it is ignored.",
    ]);
  });

  it("of another shape altogether is one WARN", () => {
    expect(read({ chart_a1: { period_start: "2026-06-14T00:00:00" } }).warnings).toEqual([
      "The state is not a STREAM state (type other): it is ignored, and the streams it may be for are " +
        "read as if they had no state (every period the charts show). This connector reads and writes per-stream states.",
    ]);
  });
});
