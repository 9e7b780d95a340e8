import { describe, expect, it } from "vitest";
import { METADATA_RECORD_FIELDS } from "../helpers/protocol.js";
import { sampleDeveloperApi, SAMPLE_PROJECT_ID } from "../../fake-amplitude/developer-api.js";
import { definitionParts } from "../../src/streams/chart-definition.js";
import { chartMetadata } from "../../src/streams/metadata-stream.js";
import type { TableShape } from "../../src/transform/unpivot.js";

const sample = sampleDeveloperApi().charts[SAMPLE_PROJECT_ID] ?? {};
const country = {
  group_type: "User",
  subprop_key: "country",
  subprop_op: "is",
  subprop_type: "user",
  subprop_value: ["Canada"],
};
const plan = {
  type: "property",
  group_type: "User",
  prop_type: "user",
  prop: "gp:plan",
  op: "is",
  values: ["paid"],
};

describe("a definition's filters and group-bys", () => {
  it("event segmentation: each event's filters, each segment's conditions, as given", () => {
    const parts = definitionParts({
      type: "eventsSegmentation",
      params: {
        events: [
          {
            event_type: "Sign Up",
            filters: [country],
            group_by: [{ type: "user", value: "country" }],
          },
          { event_type: "Purchase", filters: [], group_by: [{ type: "event", value: "plan" }] },
        ],
        segments: [{ conditions: [] }, { name: "Paid", conditions: [plan] }],
      },
    });
    expect(parts).toEqual({
      filters: {
        events: [{ event_type: "Sign Up", filters: [country] }],
        segments: [{ name: "Paid", conditions: [plan] }],
      },
      group_by: [
        { type: "user", value: "country" },
        { type: "event", value: "plan" },
      ],
    });
  });

  it("a funnel: a group-by repeated on each step is listed once", () => {
    const step = (event_type: string) => ({
      event_type,
      filters: [],
      group_by: [{ type: "user", value: "country" }],
    });
    expect(
      definitionParts({ type: "funnels", params: { events: [step("A"), step("B"), step("C")] } }),
    ).toEqual({
      filters: null,
      group_by: [{ type: "user", value: "country" }],
    });
  });

  it("a segment with a cohort condition, and no event filters: only the segments", () => {
    const cohort = { type: "cohort", cohort_id: "abc12", op: "is in" };
    expect(
      definitionParts({
        params: { events: [{ event_type: "X" }], segments: [{ conditions: [cohort] }] },
      }),
    ).toEqual({
      filters: { segments: [{ conditions: [cohort] }] },
      group_by: null,
    });
  });

  it("reads events and segments set on the definition itself, without params", () => {
    expect(definitionParts({ events: [{ event_type: "X", filters: [country] }] }).filters).toEqual({
      events: [{ event_type: "X", filters: [country] }],
    });
  });

  it.each<[string, unknown]>([
    ["no definition", undefined],
    ["null", null],
    ["a string", "eventsSegmentation"],
    ["an array", [{ events: [] }]],
    ["params of another type", { params: "v2" }],
    [
      "events that are not an array",
      { params: { events: { event_type: "X", filters: [country] } } },
    ],
    ["events that are not objects", { params: { events: ["X", 3, null] } }],
    [
      "filters that are not an array",
      { params: { events: [{ event_type: "X", filters: "country=CA" }] } },
    ],
    [
      "conditions that are not an array",
      { params: { segments: [{ name: "S", conditions: { prop: "x" } }] } },
    ],
    [
      "group_by that is not an array",
      { params: { events: [{ event_type: "X", group_by: "country" }] } },
    ],
    ["all users only", { params: { segments: [{ name: "All Users", conditions: [] }] } }],
  ])("%s gives nulls, never an error", (_, definition) => {
    expect(definitionParts(definition)).toEqual({ filters: null, group_by: null });
  });

  it("keeps whatever a filter or a condition holds, unchanged", () => {
    const odd = { op: "regex", values: [1, null, { nested: ["x"] }], v2_field: true };
    const parts = definitionParts({ params: { events: [{ event_type: 7, filters: [odd] }] } });
    expect(parts.filters).toEqual({ events: [{ event_type: 7, filters: [odd] }] });
  });

  it("reads the demo's three charts", () => {
    expect(definitionParts(sample.k2d8s0a1?.definition).filters).toMatchObject({
      events: [{ event_type: "_active" }],
      segments: [{ name: "New Users" }],
    });
    expect(definitionParts(sample.m7x3q9wz?.definition).group_by).toEqual([
      { type: "user", value: "country", group_type: "User" },
    ]);
    expect(definitionParts(sample.p4n6r2tb?.definition).filters?.segments).toHaveLength(2);
  });
});

describe("a charts_metadata record", () => {
  const shape: TableShape = {
    labelHeaders: ["Segment", "Country"],
    dimensionName: "Segment; Country",
    segments: ["2026-11-09"],
    periods: ["2026-11-09T00:00:00"],
    timeLabel: -1,
  };
  const exported = {
    chartId: "m7x3q9wz",
    preamble: [[["Weekly Signups"]], [["Event Totals"], ["Sign Up"]]],
    shape,
  };

  it("without a token is what the export gives, with no details fields at all", () => {
    expect(chartMetadata(exported)).toEqual({
      chart_id: "m7x3q9wz",
      title: "Weekly Signups",
      description: null,
      metric: "Event Totals",
      event: "Sign Up",
      dimension: "Country",
      filters: null,
    });
  });

  it("with a token adds the details; the export's title stays, a missing description is filled", () => {
    const chart = sample.m7x3q9wz;
    const record = chartMetadata(exported, {
      found: true,
      chart: { ...chart, name: "Renamed since" },
    });
    expect(record).toEqual({
      chart_id: "m7x3q9wz",
      title: "Weekly Signups",
      description: chart?.description,
      metric: "Event Totals",
      event: "Sign Up",
      dimension: "Country",
      filters: { events: [{ event_type: "Sign Up Completed", filters: expect.any(Array) }] },
      chart_type: "event_segmentation",
      url: "https://app.amplitude.com/analytics/acme/chart/m7x3q9wz",
      group_by: [{ type: "user", value: "country", group_type: "User" }],
      definition: chart?.definition,
      updated_at: "2026-11-17T16:45:12Z",
    });
    // Field order as the contract lists them.
    expect(Object.keys(record)).toEqual(METADATA_RECORD_FIELDS);
  });

  it("for a chart the API does not know has every detail null", () => {
    const record = chartMetadata(exported, { found: false });
    expect(record).toMatchObject({
      filters: null,
      chart_type: null,
      url: null,
      group_by: null,
      definition: null,
      updated_at: null,
    });
    expect(record.title).toBe("Weekly Signups");
  });

  it("of odd types in the API's answer gives nulls, keeping an object definition whole", () => {
    const record = chartMetadata(exported, {
      found: true,
      chart: {
        name: 3,
        chart_type: ["x"],
        url: null,
        updated_at: 1732000000,
        definition: { v: 2, params: [] },
      },
    });
    expect(record).toMatchObject({
      chart_type: null,
      url: null,
      updated_at: null,
      filters: null,
      group_by: null,
      definition: { v: 2, params: [] },
    });
  });
});
