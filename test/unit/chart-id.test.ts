import { describe, expect, it } from "vitest";
import { chartIdFrom } from "../../src/config/chart-id.js";

describe("a bare chart ID", () => {
  it.each([
    ["abc123de", "abc123de"],
    ["x9y8z7w6", "x9y8z7w6"],
    ["abc-123de", "abc-123de"],
    ["ABC_123", "ABC_123"],
    ["  abc123de  ", "abc123de"],
    ["\tabc123de\n", "abc123de"],
  ])("%j gives %j", (entry, id) => {
    expect(chartIdFrom(entry)).toBe(id);
  });
});

describe("a chart URL copied from the browser", () => {
  it.each([
    "https://app.amplitude.com/analytics/ORG/chart/abc123de",
    "https://app.amplitude.com/analytics/ORG/chart/abc123de/",
    "https://app.amplitude.com/analytics/ORG/chart/abc123de/edit/xyz",
    "https://app.amplitude.com/analytics/ORG/chart/abc123de?source=copy#top",
    "https://analytics.amplitude.com/ORG/chart/abc123de",
    "https://app.amplitude.com/analytics/ORG/chart?id=abc123de",
    "https://app.amplitude.com/analytics/ORG/chart/new?id=abc123de",
    "https://app.amplitude.com/analytics/ORG/dashboard/d1?id=abc123de",
    "app.amplitude.com/analytics/ORG/chart/abc123de",
    "analytics.amplitude.com/ORG/chart/abc123de/edit/xyz",
    "https://app.eu.amplitude.com/analytics/ORG/chart/abc123de",
    "https://analytics.eu.amplitude.com/ORG/chart/abc123de",
    "  https://app.amplitude.com/analytics/ORG/chart/abc123de  ",
    "http://app.amplitude.com/analytics/ORG/chart/abc123de",
  ])("%s gives abc123de", (entry) => {
    expect(chartIdFrom(entry)).toBe("abc123de");
  });

  it("keeps a dash in the ID", () => {
    expect(chartIdFrom("https://app.amplitude.com/analytics/ORG/chart/ab-12cd")).toBe("ab-12cd");
  });

  it("finds the ID after the last /chart/ when the org is called chart", () => {
    expect(chartIdFrom("https://app.amplitude.com/analytics/chart/chart/abc123de")).toBe(
      "abc123de",
    );
  });
});

describe("an entry without a chart ID", () => {
  it.each([
    "",
    "   ",
    "not a chart id",
    "abc123de!",
    "abc/def",
    "https://app.amplitude.com/",
    "https://app.amplitude.com/analytics/ORG/dashboard/xyz",
    "https://app.amplitude.com/analytics/ORG/chart/new",
    "https://app.amplitude.com/analytics/ORG/chart",
    "https://app.amplitude.com/analytics/ORG/chart/abc%20de",
    "https://app.amplitude.com/analytics/ORG/chart?id=a%20b",
    "https://",
  ])("%j gives undefined", (entry) => {
    expect(chartIdFrom(entry)).toBeUndefined();
  });
});
