import { describe, expect, it } from "vitest";
import { amplitudeCsv } from "../../fake-amplitude/csv.js";
import {
  SAMPLE_CHARTS,
  sampleChartEntries,
  sampleCharts,
} from "../../fake-amplitude/sample-charts.js";

/** The sample project that `npm run demo`, the acceptance suite and CAT read. */
describe("the sample charts", () => {
  it("are deterministic, keyed by chart ID, in Amplitude's export style", () => {
    const charts = sampleCharts();
    expect(Object.keys(charts)).toEqual(SAMPLE_CHARTS.map((c) => c.id));
    expect(sampleCharts()).toEqual(charts);
    for (const sample of SAMPLE_CHARTS) {
      const csv = charts[sample.id]?.csv;
      expect(csv).toBe(amplitudeCsv(sample.chart));
      expect(csv).toMatch(/^"\t[^"]+"\r\n/); // a TAB-marked title, CRLF
    }
    // One chart is configured by its URL, as users paste them.
    expect(sampleChartEntries()).toContain(
      "https://app.amplitude.com/analytics/acme/chart/m7x3q9wz",
    );
  });
});
