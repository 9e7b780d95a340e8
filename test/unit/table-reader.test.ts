import { describe, expect, it } from "vitest";
import { amplitudeCsv, dates } from "../../fake-amplitude/csv.js";
import { csvRows } from "../../src/csv/csv-rows.js";
import { labelColumnCount, NoTableError, readChartTable } from "../../src/csv/table-reader.js";
import { collect, fixture, fromParts, piecesOf, tableOf } from "./support.js";

const T = "\t";

describe("splitting an export into preamble and table", () => {
  it("gives the preamble blocks and the header without markers", async () => {
    const table = await tableOf([fixture("event-segmentation.csv")]);
    expect(table.preamble).toEqual([
      [["Weekly Active Users"], ["Active users on the web app."]],
      [["Uniques"], ["Page Viewed"]],
    ]);
    expect(table.header).toEqual(["Segment", "2026-06-01", "2026-06-02", "2026-06-03"]);
    expect(table.labelColumns).toBe(1);
  });

  it("hands the data rows on raw, markers still on, top to bottom", async () => {
    const table = await tableOf([fixture("event-segmentation.csv")]);
    expect((await collect(table.rows)).flat()).toEqual([
      [`${T}All Users`, "1520", "1610", "1498"],
      [`${T}[Previous] All Users`, "1402", "1391", "1455"],
    ]);
  });

  it("reads a preamble without a description and a metric block that is one empty cell", async () => {
    const table = await tableOf([fixture("ratio-datetime.csv")]);
    expect(table.preamble).toEqual([[["Conversion ratio"]], [[""]]]);
    expect(table.header).toEqual(["Segment", "2025-06-02T00:00:00", "2025-06-09T00:00:00"]);
  });

  it("reads a metric block with several cells on one row", async () => {
    const table = await tableOf([fixture("funnel-steps.csv")]);
    expect(table.preamble[1]).toEqual([["Conversion Over Time", "Overall"]]);
  });

  it("strips the backslash-t marker from preamble and header", async () => {
    const table = await tableOf([fixture("backslash-t.csv")]);
    expect(table.preamble).toEqual([[["Weekly Active Users"]], [["Uniques"], ["Page Viewed"]]]);
    expect(table.header).toEqual(["Segment", "plan_tier", "2026-06-01", "2026-06-02"]);
  });

  it("reads an LF export with quoted line breaks and trailing blank lines", async () => {
    const table = await tableOf([fixture("quoted-cells-lf.csv")]);
    expect(table.preamble[0]).toEqual([
      ['Title with "quotes", a comma\nand a line break'],
      ["Description"],
    ]);
    expect(table.header).toEqual(["Segment", "2026-06-01"]);
    expect((await collect(table.rows)).flat()).toEqual([
      [`${T}Users in "Paris, FR"`, "5"],
      [`${T}Line\nbreak`, "6"],
    ]);
  });
});

describe("choosing the table", () => {
  it("takes the block that starts with a Segment header, not what follows it", async () => {
    const table = await tableOf([fixture("segment-then-more.csv")]);
    expect(table.header).toEqual(["Segment", "2026-06-01"]);
    expect((await collect(table.rows)).flat()).toEqual([[`${T}All Users`, "1"]]);
  });

  it("takes the last block when no block starts with Segment", async () => {
    const table = await tableOf([fixture("no-segment-header.csv")]);
    expect(table.preamble).toEqual([[["Stickiness"]], [["Stickiness"], ["Any Event"]]]);
    expect(table.header).toEqual(["Days", "Users", "Percent"]);
    expect(table.labelColumns).toBe(1);
    expect((await collect(table.rows)).flat()).toEqual([
      [`${T}1 day`, "500", "0.5"],
      [`${T}2 days`, "250", "0.25"],
    ]);
  });

  it("ignores trailing blank lines after the last block", async () => {
    const text = fixture("no-segment-header.csv") + "\r\n\r\n\r\n";
    const table = await tableOf([text]);
    expect(table.header).toEqual(["Days", "Users", "Percent"]);
    expect((await collect(table.rows)).flat()).toHaveLength(2);
  });

  it("gives a table without rows when the Segment header is the last line", async () => {
    const table = await tableOf([`"${T}Title"\r\n\r\n"${T}Segment","${T}2026-06-01"\r\n\r\n`]);
    expect(table.header).toEqual(["Segment", "2026-06-01"]);
    expect((await collect(table.rows)).flat()).toEqual([]);
  });

  it("reads a long table without a Segment header again rather than hold it", async () => {
    // 2,500 rows: more than the reader holds while it looks for the table.
    const csv = amplitudeCsv({
      title: "Stickiness",
      metric: [["Stickiness"]],
      header: ["Days", "Users"],
      rows: Array.from({ length: 2_500 }, (_, i) => [`${i + 1} days`, i]),
    });
    let opened = 0;
    const table = await readChartTable(() => {
      opened++;
      return csvRows(fromParts(piecesOf(csv, 4096)));
    });
    const rows = (await collect(table.rows)).flat();
    expect(opened).toBe(2);
    expect(rows).toHaveLength(2_500);
    expect(rows[0]).toEqual([`${T}1 days`, "0"]);
    expect(rows.at(-1)).toEqual([`${T}2500 days`, "2499"]);
    // A short one is read once.
    let openedShort = 0;
    const short = await readChartTable(() => {
      openedShort++;
      return csvRows(fromParts([fixture("no-segment-header.csv")]));
    });
    expect((await collect(short.rows)).flat()).toHaveLength(2);
    expect(openedShort).toBe(1);
  });

  it("fails with NoTableError for an empty export or one of blank lines only", async () => {
    await expect(tableOf([""])).rejects.toThrow(NoTableError);
    await expect(tableOf(["\r\n\r\n\r\n"])).rejects.toThrow(NoTableError);
  });
});

describe("label columns", () => {
  it.each<[string, number, string[]]>([
    ["event-segmentation.csv", 1, ["Segment"]],
    ["ratio-datetime.csv", 1, ["Segment"]],
    ["funnel-steps.csv", 1, ["Segment"]],
    ["retention-values.csv", 1, ["Segment"]],
    ["single-total.csv", 1, ["Segment"]],
    ["funnel-over-time.csv", 2, ["Segment", "Steps"]],
    ["group-by.csv", 2, ["Segment", "plan_tier"]],
    ["backslash-t.csv", 2, ["Segment", "plan_tier"]],
    ["no-markers.csv", 2, ["Segment", "Country"]],
    ["no-markers-numeric.csv", 1, ["Segment"]],
    ["data-table.csv", 3, ["brand", "year", "Time"]],
    ["data-table-no-time.csv", 2, ["plan", "price"]],
  ])("%s has %d label column(s)", async (name, count, headers) => {
    const table = await tableOf([fixture(name)]);
    expect(table.labelColumns).toBe(count);
    expect(table.header.slice(0, count)).toEqual(headers);
  });

  it("end at a date header, even when the first row's cell there is marked", () => {
    expect(labelColumnCount([`${T}Segment`, `${T}2026-06-01`], [`${T}All`, `${T}n/a`], true)).toBe(
      1,
    );
    expect(
      labelColumnCount([`${T}Segment`, `${T}2025-06-02T00:00:00`], [`${T}All`, `${T}x`], true),
    ).toBe(1);
  });

  it("in a data table (every cell marked, numbers too), end at the first <metric>--<segment> column", () => {
    const header = [`${T}brand`, `${T}year`, `${T}Time`, `${T}Uniques--All Users`];
    expect(
      labelColumnCount(header, [`${T}Acme`, `${T}2025`, `${T}2026-03-05`, `${T}28.0`], true),
    ).toBe(3);
    // An unmarked number still ends the labels where it stands.
    expect(labelColumnCount(header, [`${T}Acme`, "2025", `${T}2026-03-05`, "28"], true)).toBe(1);
    // Every cell marked and no such column: the usual rule, every column a label.
    expect(labelColumnCount([`${T}brand`, `${T}Users`], [`${T}Acme`, `${T}28`], true)).toBe(2);
  });

  it("count a marked numeric-looking cell as a label and an unmarked one as a value", () => {
    const header = [`${T}Segment`, `${T}Cohort`, `${T}Week 1`];
    expect(labelColumnCount(header, [`${T}All`, `${T}4`, "12"], true)).toBe(2);
    expect(labelColumnCount(header, [`${T}All`, "4", "12"], true)).toBe(1);
  });

  it("continue over an empty first-row cell in a non-date column (marker mode)", () => {
    const header = [`${T}Segment`, `${T}Country`, `${T}Total`];
    expect(labelColumnCount(header, [`${T}All`, "", "5"], true)).toBe(2);
  });

  it("fall back to 'text is not a number' when the export has no markers", () => {
    const header = ["Segment", "Country", "Plan", "Total"];
    expect(labelColumnCount(header, ["All", "Canada", "Pro", "5"], false)).toBe(3);
    expect(labelColumnCount(header, ["All", "4", "Pro", "5"], false)).toBe(1);
    expect(labelColumnCount(header, ["All", "n/a", "1,234", "5"], false)).toBe(2);
  });

  it("always include the first column, even when it looks like a value", () => {
    expect(labelColumnCount(["Segment", "Total"], ["12", "5"], false)).toBe(1);
    expect(labelColumnCount([`${T}2026-06-01`], ["1"], true)).toBe(1);
  });

  it("detect markers from the whole preamble, so a marked title switches marker mode on", async () => {
    // Only the title is marked; the table cells are bare.
    const text = `"${T}Title"\r\n\r\n"Segment","Cohort","Week 1"\r\n"All","Big","12"\r\n`;
    const table = await tableOf([text]);
    // In marker mode an unmarked, non-empty cell ("Big") is a value.
    expect(table.labelColumns).toBe(1);
  });
});

describe("streaming the data rows", () => {
  const header = ["Segment", ...dates("2026-06-01", 5)];
  const rows = Array.from({ length: 3000 }, (_, i) => [`Group ${i}`, i, i + 1, i + 2, null, i]);
  const text = amplitudeCsv({ title: "Big", metric: [["Uniques"]], header, rows });

  it("hands over every row once, in order, in several batches when the text comes in pieces", async () => {
    const table = await tableOf(piecesOf(text, 1000));
    const batches = await collect(table.rows);
    expect(batches.length).toBeGreaterThan(10);
    const flat = batches.flat();
    expect(flat).toHaveLength(3000);
    expect(flat.map((r) => r[0])).toEqual(rows.map((r) => `${T}${r[0] as string}`));
    expect(flat[2999]).toEqual([`${T}Group 2999`, "2999", "3000", "3001", "", "2999"]);
  });

  it("gives the same rows whatever the piece size", async () => {
    const small = amplitudeCsv({
      title: "Small",
      metric: [["Uniques"]],
      header,
      rows: rows.slice(0, 40),
    });
    const expected = (await collect((await tableOf([small])).rows)).flat();
    expect(expected).toHaveLength(40);
    for (const size of [1, 2, 7, 64, 4096]) {
      const got = (await collect((await tableOf(piecesOf(small, size))).rows)).flat();
      expect(got, `pieces of ${size}`).toEqual(expected);
    }
  });
});
