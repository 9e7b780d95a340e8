import { describe, expect, it } from "vitest";
import { tableShape } from "../../src/transform/unpivot.js";
import { exportOf, fixture, piecesOf, type LongRecord } from "./support.js";

/** The records without the repeated dimension_name, as [dimension_value, segment, value]. */
const triples = (records: LongRecord[]): [string, string, number | null][] =>
  records.map((r) => [r.dimension_value, r.segment, r.value]);

describe("record order", () => {
  it("is row by row, and within a row column by column", async () => {
    const { records } = await exportOf([fixture("event-segmentation.csv")]);
    expect(triples(records)).toEqual([
      ["All Users", "2026-06-01", 1520],
      ["All Users", "2026-06-02", 1610],
      ["All Users", "2026-06-03", 1498],
      ["[Previous] All Users", "2026-06-01", 1402],
      ["[Previous] All Users", "2026-06-02", 1391],
      ["[Previous] All Users", "2026-06-03", 1455],
    ]);
  });

  it("gives one record per (row, value column)", async () => {
    const { records, shape } = await exportOf([fixture("retention-values.csv")]);
    expect(shape.segments).toHaveLength(6);
    expect(records).toHaveLength(4 * 6);
  });
});

describe("one label column", () => {
  it("names the dimension after its header and keeps [Previous] comparison rows as their own value", async () => {
    const { records } = await exportOf([fixture("event-segmentation.csv")]);
    expect(records[0]).toEqual({
      dimension_name: "Segment",
      dimension_value: "All Users",
      segment: "2026-06-01",
      value: 1520,
      dimensions: { Segment: "All Users" },
      period_start: "2026-06-01T00:00:00",
    });
    // A [Previous] row's value sits in the column of the period it is compared with.
    expect(records[3]?.dimensions).toEqual({ Segment: "[Previous] All Users" });
    expect(records[3]?.period_start).toBe("2026-06-01T00:00:00");
  });

  it("keeps datetime headers as they are in segment", async () => {
    const { records } = await exportOf([fixture("ratio-datetime.csv")]);
    expect(triples(records)).toEqual([
      ["All Users", "2025-06-02T00:00:00", 0.2279556],
      ["All Users", "2025-06-09T00:00:00", 0.1987],
    ]);
  });

  it("uses non-date column headers (funnel steps, a single total) as segment", async () => {
    expect(triples((await exportOf([fixture("funnel-steps.csv")])).records)).toEqual([
      ["All Users", "Step 1: Sign Up", 1200],
      ["All Users", "Step 2: Purchase", 300],
      ["Mobile", "Step 1: Sign Up", 800],
      ["Mobile", "Step 2: Purchase", 150],
    ]);
    expect(triples((await exportOf([fixture("single-total.csv")])).records)).toEqual([
      ["All Users", "Total", 4821],
      ["Web", "Total", 3100],
    ]);
  });

  it("uses the last block's header when there is no Segment header", async () => {
    const { records } = await exportOf([fixture("no-segment-header.csv")]);
    expect(records[0]).toEqual({
      dimension_name: "Days",
      dimension_value: "1 day",
      segment: "Users",
      value: 500,
      dimensions: { Days: "1 day" },
      period_start: null,
    });
    expect(records).toHaveLength(4);
  });
});

describe("data tables", () => {
  it("give every number cell one record, the group-bys (numeric ones too) and Time as labels", async () => {
    const { records, shape } = await exportOf([fixture("data-table.csv")]);
    expect(shape.labelHeaders).toEqual(["brand", "year", "Time"]);
    expect(shape.segments).toEqual([
      "Renewals--All Users",
      "Renewals--Paid Users",
      "Revenue--All Users",
    ]);
    expect(triples(records)).toEqual([
      ["Acme; 2025; 2026-03-05", "Renewals--All Users", 28],
      ["Acme; 2025; 2026-03-05", "Renewals--Paid Users", 12],
      ["Acme; 2025; 2026-03-05", "Revenue--All Users", 1520.5],
      // A marker-only label cell repeats the row above.
      ["Acme; 2025; 2026-03-06", "Renewals--All Users", 31],
      ["Acme; 2025; 2026-03-06", "Renewals--Paid Users", 15],
      ["Acme; 2025; 2026-03-06", "Revenue--All Users", 1610],
      ["Globex; 2026; 2026-03-05", "Renewals--All Users", 7],
      ["Globex; 2026; 2026-03-05", "Renewals--Paid Users", null],
      ["Globex; 2026; 2026-03-05", "Revenue--All Users", 240.25],
    ]);
    expect(records[0]).toMatchObject({
      dimension_name: "brand; year; Time",
      dimensions: { brand: "Acme", year: "2025", Time: "2026-03-05" },
    });
  });

  it("without a Time column, keep a numeric group-by (a price) as a label", async () => {
    const { records } = await exportOf([fixture("data-table-no-time.csv")]);
    expect(triples(records)).toEqual([
      ["Pro; 49.99", "Subscriptions--All Users", 120],
      ["Team; 199", "Subscriptions--All Users", 35],
    ]);
  });
});

describe("several label columns", () => {
  it('join headers and values with "; " and forward-fill empty label cells', async () => {
    const { records } = await exportOf([fixture("funnel-over-time.csv")]);
    expect(new Set(records.map((r) => r.dimension_name))).toEqual(new Set(["Segment; Steps"]));
    expect(triples(records)).toEqual([
      ["All Users; Sign Up", "2026-06-01", 100],
      ["All Users; Sign Up", "2026-06-02", 110],
      ["All Users; Purchase", "2026-06-01", 40],
      ["All Users; Purchase", "2026-06-02", 45],
      ["All Users; Refund", "2026-06-01", 2],
      ["All Users; Refund", "2026-06-02", 3],
      ["[Previous] All Users; Sign Up", "2026-06-01", 90],
      ["[Previous] All Users; Sign Up", "2026-06-02", 95],
      ["[Previous] All Users; Purchase", "2026-06-01", 30],
      ["[Previous] All Users; Purchase", "2026-06-02", 35],
    ]);
    expect(records[2]?.dimensions).toEqual({ Segment: "All Users", Steps: "Purchase" });
    expect(records[8]?.dimensions).toEqual({
      Segment: "[Previous] All Users",
      Steps: "Purchase",
    });
  });

  it("keep a marked numeric label as text, and stay lossless in `dimensions` when a label holds '; '", async () => {
    const { records } = await exportOf([fixture("group-by.csv")]);
    expect(records.map((r) => [r.dimension_value, r.dimensions])).toEqual([
      ["All Users; 4", { Segment: "All Users", plan_tier: "4" }],
      ["All Users; 4", { Segment: "All Users", plan_tier: "4" }],
      ["All Users; Pro; Annual", { Segment: "All Users", plan_tier: "Pro; Annual" }],
      ["All Users; Pro; Annual", { Segment: "All Users", plan_tier: "Pro; Annual" }],
      [
        'Paying, "verified" users; (none)',
        { Segment: 'Paying, "verified" users', plan_tier: "(none)" },
      ],
      [
        'Paying, "verified" users; (none)',
        { Segment: 'Paying, "verified" users', plan_tier: "(none)" },
      ],
    ]);
    expect(records.map((r) => r.value)).toEqual([12, 13, 7, 8, 1, 2]);
    expect(records[0]?.dimension_name).toBe("Segment; plan_tier");
  });

  it("strip exactly one backslash-t marker and forward-fill a marker-only cell", async () => {
    const { records } = await exportOf([fixture("backslash-t.csv")]);
    expect(records.map((r) => [r.dimension_value, r.segment, r.value])).toEqual([
      ["All Users; 4", "2026-06-01", 1520],
      ["All Users; 4", "2026-06-02", 1610],
      ["All Users; \\tabs", "2026-06-01", 1],
      ["All Users; \\tabs", "2026-06-02", 2],
    ]);
  });

  it("in an export without markers, treat text as labels and numbers as values", async () => {
    const { records } = await exportOf([fixture("no-markers.csv")]);
    expect(triples(records)).toEqual([
      ["All Users; Canada", "2026-06-01", 1520],
      ["All Users; Canada", "2026-06-02", 1610],
      ["All Users; France", "2026-06-01", 12],
      ["All Users; France", "2026-06-02", null],
    ]);
    const numeric = await exportOf([fixture("no-markers-numeric.csv")]);
    expect(triples(numeric.records)).toEqual([
      ["All Users", "Cohort", 4],
      ["All Users", "Week 1", 12],
    ]);
  });

  it("forward-fill carries a value down as many rows as stay empty, per column", async () => {
    const T = "\t";
    const text = [
      `"${T}Segment","${T}Country","${T}City","${T}Total"`,
      `"${T}All","${T}Canada","${T}Toronto","1"`,
      `"","","${T}Montreal","2"`,
      `"","${T}France","","3"`,
      `"${T}New","","","4"`,
      "",
    ].join("\r\n");
    const { records } = await exportOf([text]);
    expect(records.map((r) => r.dimension_value)).toEqual([
      "All; Canada; Toronto",
      "All; Canada; Montreal",
      "All; France; Montreal",
      "New; France; Montreal",
    ]);
    expect(records.map((r) => r.value)).toEqual([1, 2, 3, 4]);
  });
});

describe("values", () => {
  it("parse numbers, tolerate separators, % and *, and give null for the rest", async () => {
    const { records } = await exportOf([fixture("retention-values.csv")]);
    const byRow = (label: string): (number | null)[] =>
      records.filter((r) => r.dimension_value === label).map((r) => r.value);
    expect(byRow("plain")).toEqual([1520, 0.2279556, 1000, 2.5e-7, -3, 4.5]);
    expect(byRow("tolerated")).toEqual([1234, 12.5, 42, 1234567.5, -1000, 7.5]);
    expect(byRow("nulls")).toEqual([null, null, null, null, null, null]);
    expect(byRow("odd")).toEqual([null, null, null, null, 12, null]);
    for (const record of records) {
      if (record.value !== null) expect(Number.isFinite(record.value)).toBe(true);
    }
  });

  it("treat cells missing from a short row as empty, and ignore cells past the header", async () => {
    const { records } = await exportOf([fixture("ragged-rows.csv")]);
    expect(triples(records)).toEqual([
      ["Short", "2026-06-01", 1],
      ["Short", "2026-06-02", null],
      ["Short", "2026-06-03", null],
      ["Long", "2026-06-01", 1],
      ["Long", "2026-06-02", 2],
      ["Long", "2026-06-03", 3],
      ["Exact", "2026-06-01", 7],
      ["Exact", "2026-06-02", 8],
      ["Exact", "2026-06-03", 9],
    ]);
  });
});

describe("chunking", () => {
  it.each(["funnel-over-time.csv", "group-by.csv", "retention-values.csv", "backslash-t.csv"])(
    "%s gives the same records in 1-, 3- and 17-character pieces",
    async (name) => {
      const text = fixture(name);
      const whole = (await exportOf([text])).records;
      for (const size of [1, 3, 17]) {
        expect((await exportOf(piecesOf(text, size))).records).toEqual(whole);
      }
    },
  );
});

describe("the table's shape", () => {
  it("splits the header into label headers and value headers", async () => {
    const { table } = await exportOf([fixture("funnel-over-time.csv")]);
    expect(tableShape(table)).toEqual({
      labelHeaders: ["Segment", "Steps"],
      dimensionName: "Segment; Steps",
      segments: ["2026-06-01", "2026-06-02"],
      periods: ["2026-06-01T00:00:00", "2026-06-02T00:00:00"],
      timeLabel: -1,
    });
  });

  it("finds a data table's Time label, whose values are the rows' periods", async () => {
    const { shape, records } = await exportOf([fixture("data-table.csv")]);
    expect(shape.timeLabel).toBe(2);
    expect(shape.periods).toEqual([null, null, null]);
    expect(records.map((r) => r.period_start)).toEqual([
      ...Array<string>(3).fill("2026-03-05T00:00:00"),
      ...Array<string>(3).fill("2026-03-06T00:00:00"),
      ...Array<string>(3).fill("2026-03-05T00:00:00"),
    ]);
    expect(
      (await exportOf([fixture("data-table-no-time.csv")])).records[0]?.period_start,
    ).toBeNull();
  });
});

describe("label headers that are also object keys", () => {
  it('keeps a label column headed "__proto__" in dimensions', async () => {
    const csv =
      '"\tTitle"\r\n\r\n"\tUniques"\r\n\r\n"\tSegment","\t__proto__","\t2026-06-01"\r\n"\tAll Users","\tx","5"\r\n';
    const { records } = await exportOf([csv]);
    expect(records).toHaveLength(1);
    expect(JSON.parse(JSON.stringify(records[0]?.dimensions))).toEqual(
      JSON.parse('{"Segment":"All Users","__proto__":"x"}'),
    );
  });
});
