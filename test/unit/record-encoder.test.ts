import { describe, expect, it } from "vitest";
import { valueJson } from "../../src/csv/cells.js";
import {
  CHART_RECORD_SCHEMA,
  PeriodFilter,
  RecordEncoder,
} from "../../src/streams/chart-stream.js";
import {
  tableShape,
  unpivot,
  type RowRecords,
  type TableShape,
} from "../../src/transform/unpivot.js";
import { assertAirbyteMessage, CHART_RECORD_FIELDS, recordValidator } from "../helpers/protocol.js";
import { exportOf, fixture, tableOf } from "./support.js";

const validateRecord = recordValidator(CHART_RECORD_SCHEMA);

/** A row's lines, all pieces joined. */
const encodeAll = (
  encoder: RecordEncoder,
  row: RowRecords,
  emittedAt: number,
  filter = new PeriodFilter(),
): string => [...encoder.encode(row, emittedAt, filter)].map(([lines]) => lines).join("");

interface RecordLine {
  type: string;
  record: { stream: string; data: Record<string, unknown>; emitted_at: number };
}

const parseLines = (text: string): RecordLine[] => {
  expect(text.endsWith("\n")).toBe(true);
  return text
    .slice(0, -1)
    .split("\n")
    .map((line) => JSON.parse(line) as RecordLine);
};

const shape: TableShape = {
  labelHeaders: ["Segment", 'Country "code"'],
  dimensionName: 'Segment; Country "code"',
  segments: ["2026-06-01", 'Step "2": Buy\\Sell'],
  periods: ["2026-06-01T00:00:00", null],
  timeLabel: -1,
};

describe("record lines", () => {
  const encoder = new RecordEncoder("chart_abc123de", "abc123de", shape);

  it("parse as RECORD messages with the row's values, one line per value column", () => {
    const row: RowRecords = {
      dimensionValue: "All Users; CA",
      dimensions: { Segment: "All Users", 'Country "code"': "CA" },
      valuesJson: ["1520", "null"],
      periodStart: null,
    };
    const lines = parseLines(encodeAll(encoder, row, 1_780_000_000_000));
    const expected = (segment: string, value: number | null, period: string | null) => ({
      type: "RECORD",
      record: {
        stream: "chart_abc123de",
        data: {
          chart_id: "abc123de",
          dimension_name: 'Segment; Country "code"',
          dimension_value: "All Users; CA",
          segment,
          value,
          dimensions: { Segment: "All Users", 'Country "code"': "CA" },
          period_start: period,
        },
        emitted_at: 1_780_000_000_000,
      },
    });
    expect(lines).toEqual([
      expected("2026-06-01", 1520, "2026-06-01T00:00:00"),
      expected('Step "2": Buy\\Sell', null, null),
    ]);
    for (const line of lines) {
      assertAirbyteMessage(line);
      expect(validateRecord(line.record.data)).toBe(true);
    }
  });

  it("keep the documented field order", () => {
    const [line] = parseLines(
      encodeAll(
        encoder,
        { dimensionValue: "x", dimensions: {}, valuesJson: ["1"], periodStart: null },
        1,
      ),
    );
    expect(Object.keys(line?.record.data ?? {})).toEqual(CHART_RECORD_FIELDS);
  });

  it("carry quotes, backslashes, line breaks, unicode and '; ' in labels intact, one record per line", () => {
    const label = 'Paying "VIP"; Café 😀\\\n\r\t\u2028end';
    const row: RowRecords = {
      dimensionValue: `${label}; CA`,
      dimensions: { Segment: label, 'Country "code"': "CA" },
      valuesJson: ["1", "2"],
      periodStart: null,
    };
    const text = encodeAll(encoder, row, 5);
    expect(text.split("\n")).toHaveLength(3);
    const lines = parseLines(text);
    expect(lines[1]?.record.data.dimension_value).toBe(`${label}; CA`);
    expect(lines[1]?.record.data.dimensions).toEqual({ Segment: label, 'Country "code"': "CA" });
  });

  it.each([0, -3, 0.2279556, 2.5e-7, 1e21, 1.7976931348623157e308, 123456789012345680000])(
    "carry the number %d exactly",
    (value) => {
      const [line] = parseLines(
        encodeAll(
          encoder,
          {
            dimensionValue: "x",
            dimensions: {},
            valuesJson: [valueJson(String(value))],
            periodStart: null,
          },
          1,
        ),
      );
      expect(line?.record.data.value).toBe(value);
    },
  );

  it("are nothing for a row without value columns", () => {
    expect(
      encodeAll(
        encoder,
        { dimensionValue: "x", dimensions: {}, valuesJson: [], periodStart: null },
        1,
      ),
    ).toBe("");
  });

  it("name the stream and chart they were made for", () => {
    const other = new RecordEncoder("chart_x-1", "x-1", {
      ...shape,
      segments: ["Total"],
      periods: [null],
    });
    const [line] = parseLines(
      encodeAll(
        other,
        { dimensionValue: "x", dimensions: {}, valuesJson: ["3"], periodStart: null },
        1,
      ),
    );
    expect(line?.record.stream).toBe("chart_x-1");
    expect(line?.record.data.chart_id).toBe("x-1");
    expect(line?.record.data.segment).toBe("Total");
  });
});

describe("the period of each record, and which records an incremental read emits", () => {
  const daily: TableShape = {
    labelHeaders: ["Segment"],
    dimensionName: "Segment",
    segments: ["2026-06-01", "2026-06-02", "2026-06-03T00:00:00"],
    periods: ["2026-06-01T00:00:00", "2026-06-02T00:00:00", "2026-06-03T00:00:00"],
    timeLabel: -1,
  };
  const row = (periodStart: string | null): RowRecords => ({
    dimensionValue: "All Users",
    dimensions: { Segment: "All Users" },
    valuesJson: ["1", "2", "3"],
    periodStart,
  });
  const periods = (text: string): unknown[] =>
    text === "" ? [] : parseLines(text).map((line) => line.record.data.period_start);

  it("is its date column's, and only the records from `since` on are emitted", () => {
    const encoder = new RecordEncoder("chart_d", "d", daily);
    expect(periods(encodeAll(encoder, row(null), 1))).toEqual([
      "2026-06-01T00:00:00",
      "2026-06-02T00:00:00",
      "2026-06-03T00:00:00",
    ]);
    const filter = new PeriodFilter("2026-06-02T00:00:00");
    const text = encodeAll(encoder, row(null), 1, filter);
    expect(periods(text)).toEqual(["2026-06-02T00:00:00", "2026-06-03T00:00:00"]);
    expect([...encoder.encode(row(null), 1, new PeriodFilter("2026-06-02T00:00:00"))]).toEqual([
      [text, 2],
    ]);
    expect(filter.latest).toBe("2026-06-03T00:00:00");
  });

  it("is the row's (a data table's Time) when the value column has none; null records are always emitted", () => {
    const steps: TableShape = {
      ...daily,
      segments: ["Step 1", "Step 2", "Step 3"],
      periods: [null, null, null],
    };
    const encoder = new RecordEncoder("chart_d", "d", steps);
    const late = new PeriodFilter("2026-06-05T00:00:00");
    expect(periods(encodeAll(encoder, row("2026-06-04T00:00:00"), 1, late))).toEqual([]);
    expect(periods(encodeAll(encoder, row("2026-06-05T00:00:00"), 1, late))).toEqual(
      Array<string>(3).fill("2026-06-05T00:00:00"),
    );
    expect(periods(encodeAll(encoder, row(null), 1, late))).toEqual([null, null, null]);
    expect(late.latest).toBe("2026-06-05T00:00:00");
  });
});

describe("record lines for whole exports", () => {
  it.each(["group-by.csv", "retention-values.csv", "funnel-over-time.csv", "quoted-cells-lf.csv"])(
    "are valid AirbyteMessages matching the stream schema (%s)",
    async (name) => {
      const expected = (await exportOf([fixture(name)])).records;
      const table = await tableOf([fixture(name)]);
      const shape = tableShape(table);
      const encoder = new RecordEncoder("chart_abc123de", "abc123de", shape);
      let text = "";
      for await (const batch of unpivot(table, shape)) {
        for (const row of batch) text += encodeAll(encoder, row, 1);
      }
      const lines = parseLines(text);
      expect(lines.map((l) => l.record.data)).toEqual(
        expected.map((r) => ({ chart_id: "abc123de", ...r })),
      );
      for (const line of lines) {
        assertAirbyteMessage(line);
        expect(validateRecord(line.record.data), JSON.stringify(validateRecord.errors)).toBe(true);
      }
    },
  );
});

describe("a wide row", () => {
  const shape: TableShape = {
    labelHeaders: ["Segment"],
    dimensionName: "Segment",
    segments: Array.from({ length: 2000 }, (_, k) => `2026-01-01 #${k}`),
    periods: Array.from({ length: 2000 }, () => null),
    timeLabel: -1,
  };
  const row: RowRecords = {
    dimensionValue: "All Users",
    dimensions: { Segment: "All Users" },
    valuesJson: Array.from({ length: 2000 }, (_, k) => String(k)),
    periodStart: null,
  };

  it("comes in pieces of whole lines, about 12k characters each, whose counts add up", () => {
    const pieces = [...new RecordEncoder("chart_w", "w", shape).encode(row, 1, new PeriodFilter())];
    expect(pieces.length).toBeGreaterThan(10);
    const longest = Math.max(...pieces.map(([lines]) => lines.length));
    expect(longest).toBeLessThan(12 * 1024 + 400);
    for (const [lines, count] of pieces) {
      expect(lines.endsWith("\n")).toBe(true);
      expect(lines.split("\n").length - 1).toBe(count);
    }
    expect(pieces.reduce((sum, [, count]) => sum + count, 0)).toBe(2000);
  });
});
