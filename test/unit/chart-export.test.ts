import { readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { amplitudeCsv, dates, envelope } from "../../fake-amplitude/csv.js";
import type { SpooledChart } from "../../src/amplitude/client.js";
import { openChartCsv, sniffBody } from "../../src/amplitude/response-body.js";
import { ConnectorError } from "../../src/errors.js";
import { collect, exportOf, fixture, tempFolder } from "./support.js";

function sniffError(head: string, tail: string | undefined, contentType = "application/json") {
  try {
    sniffBody("abc123de", head, tail, contentType);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).failureType).toBe("system_error");
    return error as ConnectorError;
  }
  throw new Error("sniffBody accepted the body");
}

describe("sniffing a body before any record is emitted", () => {
  it("recognises the JSON envelope, also after a BOM or whitespace", () => {
    expect(sniffBody("c", '{"data":"x"}', '{"data":"x"}', "application/json")).toBe("envelope");
    expect(sniffBody("c", '\uFEFF  \n{"data":"x"}', '"}\n', "")).toBe("envelope");
    expect(sniffBody("c", '{"data":"', undefined, "application/json")).toBe("envelope");
  });

  it("recognises raw CSV", () => {
    expect(sniffBody("c", fixture("event-segmentation.csv"), "", "text/csv")).toBe("csv");
    expect(sniffBody("c", fixture("bom-raw.csv"), "", "text/csv")).toBe("csv");
  });

  it("rejects an empty body, naming the chart", () => {
    for (const head of ["", "  \r\n", "\uFEFF"]) {
      const error = sniffError(head, head);
      expect(error.message).toContain("chart abc123de is empty");
      expect(error.message).toContain("Run the sync again");
    }
  });

  it("rejects an HTML page, pointing at base_url, and shows how it begins and its type", () => {
    const error = sniffError("<!DOCTYPE html><html><body>Sign in</body></html>", "", "text/html");
    expect(error.message).toContain("an HTML page");
    expect(error.message).toContain("base_url");
    expect(error.message).toContain('Content-Type "text/html"');
    expect(error.message).toContain("<!DOCTYPE html>");
  });

  it("rejects an envelope that ends before its closing brace", () => {
    const error = sniffError('{"data":"\\tTitle\\r\\n', "\\tTitle\\r\\n");
    expect(error.message).toContain("cut short");
    expect(sniffBody("c", '{"data":"x"}', '{"data":"x"}  \r\n', "")).toBe("envelope");
  });

  it("names a missing Content-Type as none", () => {
    expect(sniffError("<html>", "", "").message).toContain('Content-Type "none"');
  });
});

describe("opening a spooled body as CSV text", () => {
  const dir = tempFolder("response-body-test-");
  let n = 0;

  async function spool(body: string | Buffer, contentType = "application/json") {
    const path = join(dir(), `body-${n++}`);
    await writeFile(path, body);
    const bytes = typeof body === "string" ? Buffer.byteLength(body) : body.length;
    const chart: SpooledChart = { chartId: "abc123de", path, bytes, contentType, elapsedMs: 1 };
    return chart;
  }

  const textOf = async (chart: SpooledChart): Promise<string> =>
    (await collect(await openChartCsv(chart))).join("");

  it("unwraps the JSON envelope", async () => {
    const csv = fixture("funnel-over-time.csv");
    expect(await textOf(await spool(envelope(csv)))).toBe(csv);
  });

  it("passes raw CSV through and drops its byte-order mark", async () => {
    const raw = fixture("bom-raw.csv");
    expect(raw.charCodeAt(0)).toBe(0xfeff);
    expect(await textOf(await spool(raw, "text/csv; charset=utf-8"))).toBe(raw.slice(1));
  });

  it("drops a BOM before the envelope and one at the start of the data string", async () => {
    const csv = fixture("event-segmentation.csv");
    expect(await textOf(await spool(`\uFEFF${envelope(csv)}`))).toBe(csv);
    expect(await textOf(await spool(envelope(`\uFEFF${csv}`)))).toBe(csv);
  });

  const openFiles = (): number => readdirSync("/proc/self/fd").length;

  it.each<[string, () => string]>([
    ["an envelope read to its end", () => envelope(fixture("group-by.csv"))],
    [
      "an envelope with keys after the data",
      () => `{"data": ${JSON.stringify(fixture("group-by.csv"))}, "extra": [1, 2, {"a": "b"}]}`,
    ],
    ["raw CSV", () => fixture("group-by.csv")],
  ])("closes the file once %s has been read", async (_, body) => {
    const chart = await spool(body());
    const before = openFiles();
    await textOf(chart);
    expect(openFiles()).toBe(before);
  });

  it("closes the file when the reader stops early and returns the iterator", async () => {
    const csv = fixture("group-by.csv").repeat(200);
    const chart = await spool(envelope(csv));
    const before = openFiles();
    const text = await openChartCsv(chart);
    expect((await text.next()).done).toBe(false);
    expect(openFiles()).toBe(before + 1);
    await text.return(undefined);
    expect(openFiles()).toBe(before);
  });

  it("keeps multi-byte characters whole across read chunks", async () => {
    const header = ["Segment", ...dates("2026-06-01", 7)];
    const rows = Array.from({ length: 30_000 }, (_, i) => [
      `Zürich ☕ 😀 ${i}`,
      ...Array.from({ length: 7 }, (_, k) => i + k),
    ]);
    const csv = amplitudeCsv({ title: "Café 😀", metric: [["Uniques"]], header, rows });
    expect(Buffer.byteLength(csv)).toBeGreaterThan(2 * 1024 * 1024);
    expect(await textOf(await spool(csv, "text/csv"))).toBe(csv);
    expect(await textOf(await spool(envelope(csv)))).toBe(csv);
  });

  it("gives the same records from an envelope, from raw CSV and from raw CSV with a BOM", async () => {
    const csv = fixture("group-by.csv");
    const expected = (await exportOf([csv])).records;
    for (const body of [envelope(csv), csv, `\uFEFF${csv}`]) {
      const chunks = await collect(await openChartCsv(await spool(body)));
      expect((await exportOf(chunks)).records).toEqual(expected);
    }
  });

  it("fails with a system error naming the chart for an empty or HTML body", async () => {
    await expect(openChartCsv(await spool(""))).rejects.toThrow(/chart abc123de is empty/);
    await expect(openChartCsv(await spool("<html><body>Sign in</body></html>"))).rejects.toThrow(
      /HTML page/,
    );
  });

  it("fails before giving any text when the envelope lacks its closing brace", async () => {
    const body = envelope(fixture("event-segmentation.csv"));
    await expect(openChartCsv(await spool(body.slice(0, -20)))).rejects.toThrow(/cut short/);
  });

  it("explains an envelope without data as a system error that names the chart and its keys", async () => {
    const chart = await spool(JSON.stringify({ error: { message: "Query failed" } }));
    const failure = collect(await openChartCsv(chart));
    await expect(failure).rejects.toBeInstanceOf(ConnectorError);
    await expect(failure).rejects.toThrow(
      /chart abc123de could not be read: the JSON response has no "data" string \(keys: error\); it says: \{"message":"Query failed"\}/,
    );
    await expect(collect(await openChartCsv(chart))).rejects.toMatchObject({
      failureType: "system_error",
    });
  });
});
