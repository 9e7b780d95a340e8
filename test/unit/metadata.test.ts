import { describe, expect, it } from "vitest";
import { chartMetadata } from "../../src/streams/metadata-stream.js";
import type { TableShape } from "../../src/transform/unpivot.js";
import { exportOf, fixture } from "./support.js";

const metadataOf = async (name: string, chartId = "abc123de") =>
  (await exportOf([fixture(name)], chartId)).metadata;

const shape = (labelHeaders: string[]): TableShape => ({
  labelHeaders,
  dimensionName: labelHeaders.join("; "),
  segments: ["2026-06-01"],
  periods: ["2026-06-01T00:00:00"],
  timeLabel: -1,
});

describe("charts_metadata from an export", () => {
  it("takes title, description, metric and event from the preamble", async () => {
    expect(await metadataOf("event-segmentation.csv", "wau01")).toEqual({
      chart_id: "wau01",
      title: "Weekly Active Users",
      description: "Active users on the web app.",
      metric: "Uniques",
      event: "Page Viewed",
      dimension: null,
      filters: null,
    });
  });

  it("gives null for a missing description and for a ratio chart's empty metric block", async () => {
    expect(await metadataOf("ratio-datetime.csv")).toEqual({
      chart_id: "abc123de",
      title: "Conversion ratio",
      description: null,
      metric: null,
      event: null,
      dimension: null,
      filters: null,
    });
  });

  it("takes a funnel's metric, and leaves event null rather than take the conversion scope beside it", async () => {
    const metadata = await metadataOf("funnel-steps.csv");
    expect(metadata.metric).toBe("Conversion Over Time");
    expect(metadata.event).toBeNull();
    expect(metadata.dimension).toBeNull();
  });

  it("reads a data table: title and description, no metric block (the metrics are in its columns)", async () => {
    expect(await metadataOf("data-table.csv")).toEqual({
      chart_id: "abc123de",
      title: "Renewals by brand",
      description: "Renewals and revenue, per brand, year of contract and day",
      metric: null,
      event: null,
      dimension: "year; Time",
      filters: null,
    });
  });

  it('joins the events of all metric-block rows with "; " and names the group-by dimension', async () => {
    expect(await metadataOf("group-by.csv")).toEqual({
      chart_id: "abc123de",
      title: "Revenue by plan tier",
      description: "Paid plans only",
      metric: "Event Totals",
      event: "Purchase Completed; Refund Issued",
      dimension: "plan_tier",
      filters: null,
    });
  });

  it("names the label headers after the first as the dimension (funnel over time)", async () => {
    const metadata = await metadataOf("funnel-over-time.csv");
    expect(metadata.dimension).toBe("Steps");
    expect(metadata.event).toBeNull();
  });

  it("reads the backslash-t variant and an export without markers the same way", async () => {
    expect(await metadataOf("backslash-t.csv")).toMatchObject({
      title: "Weekly Active Users",
      description: null,
      metric: "Uniques",
      event: "Page Viewed",
      dimension: "plan_tier",
    });
    expect(await metadataOf("no-markers.csv")).toMatchObject({
      title: "Weekly Active Users",
      metric: "Uniques",
      event: "Page Viewed",
      dimension: "Country",
    });
  });

  it("keeps quotes, commas and line breaks of the preamble cells", async () => {
    expect(await metadataOf("quoted-cells-lf.csv")).toMatchObject({
      title: 'Title with "quotes", a comma\nand a line break',
      description: "Description",
      metric: "Uniques",
      event: 'Page Viewed, "home"',
    });
  });

  it("reads a table without a Segment header (the last block)", async () => {
    expect(await metadataOf("no-segment-header.csv")).toMatchObject({
      title: "Stickiness",
      metric: "Stickiness",
      event: "Any Event",
      dimension: null,
    });
  });
});

/** The metadata of an export with this preamble and these label headers. */
const fromPreamble = (preamble: string[][][], labels: TableShape) =>
  chartMetadata({ chartId: "x1", preamble, shape: labels });

describe("chartMetadata rules", () => {
  it("gives nulls when there is no preamble at all", () => {
    expect(fromPreamble([], shape(["Segment"]))).toEqual({
      chart_id: "x1",
      title: null,
      description: null,
      metric: null,
      event: null,
      dimension: null,
      filters: null,
    });
  });

  it("skips empty cells: the metric is the first non-empty one, events the non-empty rest", () => {
    const metadata = fromPreamble(
      [[["T"]], [["", "Uniques", "", "Beside"], [""], ["A", "B"], ["C"]]],
      shape(["Segment"]),
    );
    expect(metadata.metric).toBe("Uniques");
    expect(metadata.event).toBe("Beside; A; B; C");
  });

  it("leaves a funnel's conversion scope beside its metric out of the events", () => {
    for (const metric of ["Conversion", "Conversion Over Time"]) {
      const metadata = fromPreamble(
        [
          [["T"]],
          [
            [metric, "Overall"],
            ["Sign Up", "Purchase"],
          ],
        ],
        shape(["Segment"]),
      );
      expect(metadata.metric).toBe(metric);
      expect(metadata.event).toBe("Sign Up; Purchase");
    }
  });

  it("gives null for an empty title cell and ignores preamble blocks after the second", () => {
    const metadata = fromPreamble([[[""], ["Desc"]], [["M"]], [["Other"]]], shape(["S"]));
    expect(metadata.title).toBeNull();
    expect(metadata.description).toBe("Desc");
    expect(metadata.metric).toBe("M");
    expect(metadata.event).toBeNull();
  });

  it('joins several extra label headers with "; "', () => {
    expect(fromPreamble([], shape(["Segment", "Country", "City"])).dimension).toBe("Country; City");
  });
});
