import { tmpdir } from "node:os";
import { readdirSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, describe, expect, it } from "vitest";
import { amplitudeCsv, dates, envelope } from "../../fake-amplitude/csv.js";
import { explainBodyError, UnusableBody } from "../../src/body/body-errors.js";
import { sniffBody } from "../../src/body/body-format.js";
import { readChartExport, type ChartExport } from "../../src/body/chart-export.js";
import { BodySpool, type SpooledBody } from "../../src/body/spool.js";
import { ConnectorError } from "../../src/errors.js";
import { collect, exportOf, fixture, type LongRecord } from "./support.js";

/** What the body error table says about what sniffBody found. */
function sniffError(head: string, tail: string | undefined, contentType = "application/json") {
  try {
    sniffBody(head, tail);
  } catch (error) {
    expect(error).toBeInstanceOf(UnusableBody);
    const explained = explainBodyError(error, { chartId: "abc123de", contentType, head });
    expect(explained).toBeInstanceOf(ConnectorError);
    expect((explained as ConnectorError).failureType).toBe("system_error");
    return explained as ConnectorError;
  }
  throw new Error("sniffBody accepted the body");
}

describe("sniffing a body before any record is emitted", () => {
  it("recognises the JSON envelope, also after a BOM or whitespace", () => {
    expect(sniffBody('{"data":"x"}', '{"data":"x"}')).toBe("envelope");
    expect(sniffBody('\uFEFF  \n{"data":"x"}', '"}\n')).toBe("envelope");
    expect(sniffBody('{"data":"', undefined)).toBe("envelope");
  });

  it("recognises raw CSV", () => {
    expect(sniffBody(fixture("event-segmentation.csv"), "")).toBe("csv");
    expect(sniffBody(fixture("bom-raw.csv"), "")).toBe("csv");
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
    expect(sniffBody('{"data":"x"}', '{"data":"x"}  \r\n')).toBe("envelope");
  });

  it("names a missing Content-Type as none", () => {
    expect(sniffError("<html>", "", "").message).toContain('Content-Type "none"');
  });
});

const { spool } = await BodySpool.create([tmpdir()]);
afterAll(() => spool.close());

/** `body` spooled as a download would spool it. */
async function spooled(body: string | Buffer, contentType = "application/json") {
  const writer = spool.writer("abc123de");
  await pipeline(Readable.from([body]), writer.attempt());
  return writer.complete({ contentType, elapsedMs: 1 });
}

/** The records and metadata a spooled body gives, as the read loop reads them. */
async function exportFrom(body: SpooledBody): Promise<LongRecord[]> {
  const chart = await readChartExport(body);
  try {
    return recordsOf(chart, await collect(chart.rows()));
  } finally {
    await chart.close();
  }
}

function recordsOf(chart: ChartExport, batches: Awaited<ReturnType<typeof collect>>): LongRecord[] {
  const { shape } = chart;
  return (
    batches as {
      dimensionValue: string;
      dimensions: Record<string, string>;
      valuesJson: string[];
      periodStart: string | null;
    }[][]
  )
    .flat()
    .flatMap((row) =>
      row.valuesJson.map((json, k) => ({
        dimension_name: shape.dimensionName,
        dimension_value: row.dimensionValue,
        segment: shape.segments[k] as string,
        value: JSON.parse(json) as number | null,
        dimensions: row.dimensions,
        period_start: shape.periods[k] ?? row.periodStart,
      })),
    );
}

const textOf = async (body: SpooledBody): Promise<string> => (await collect(body.text())).join("");
const openFiles = (): number => readdirSync("/proc/self/fd").length;

describe("a spooled body", () => {
  it("is read back as it came, its size counted in bytes", async () => {
    const body = await spooled("Zürich ☕", "text/csv");
    expect(body).toMatchObject({
      chartId: "abc123de",
      bytes: Buffer.byteLength("Zürich ☕"),
      contentType: "text/csv",
    });
    expect(await textOf(body)).toBe("Zürich ☕");
    expect(await body.ends()).toEqual({ head: "Zürich ☕", tail: "Zürich ☕" });
  });

  it("keeps only the last attempt: a retry starts over", async () => {
    const writer = spool.writer("abc123de");
    await pipeline(Readable.from(["a long first attempt that broke"]), writer.attempt());
    await pipeline(Readable.from(["second"]), writer.attempt());
    const body = await writer.complete({ contentType: "text/csv", elapsedMs: 1 });
    expect(await textOf(body)).toBe("second");
    expect(body.bytes).toBe(6);
  });

  it("keeps multi-byte characters whole across read chunks", async () => {
    const header = ["Segment", ...dates("2026-06-01", 7)];
    const rows = Array.from({ length: 30_000 }, (_, i) => [
      `Zürich ☕ 😀 ${i}`,
      ...Array.from({ length: 7 }, (_, k) => i + k),
    ]);
    const csv = amplitudeCsv({ title: "Café 😀", metric: [["Uniques"]], header, rows });
    expect(Buffer.byteLength(csv)).toBeGreaterThan(2 * 1024 * 1024);
    expect(await textOf(await spooled(csv, "text/csv"))).toBe(csv);
  });

  it("is gone once discarded, and close removes whatever is left", async () => {
    const { spool: own } = await BodySpool.create([tmpdir()]);
    const kept = await (async () => {
      const writer = own.writer("c1");
      await pipeline(Readable.from(["x"]), writer.attempt());
      return writer.complete({ contentType: "", elapsedMs: 0 });
    })();
    const discarded = await (async () => {
      const writer = own.writer("c2");
      await pipeline(Readable.from(["y"]), writer.attempt());
      return writer.complete({ contentType: "", elapsedMs: 0 });
    })();
    await discarded.discard();
    await expect(textOf(discarded)).rejects.toThrow(/ENOENT/);
    expect(await textOf(kept)).toBe("x");
    await own.close();
    await expect(textOf(kept)).rejects.toThrow(/ENOENT/);
  });
});

describe("reading a spooled body as a chart export", () => {
  it("gives the same records from an envelope, from raw CSV and from raw CSV with a BOM", async () => {
    const csv = fixture("group-by.csv");
    const expected = (await exportOf([csv])).records;
    expect(expected.length).toBeGreaterThan(0);
    for (const body of [envelope(csv), csv, `\uFEFF${csv}`, `\uFEFF${envelope(`\uFEFF${csv}`)}`]) {
      expect(await exportFrom(await spooled(body))).toEqual(expected);
    }
  });

  it("gives the preamble and the table's shape before any row is read", async () => {
    const chart = await readChartExport(await spooled(envelope(fixture("funnel-over-time.csv"))));
    expect(chart.rowCount).toBe(0);
    expect(chart.shape.labelHeaders.length).toBeGreaterThan(1);
    expect(chart.preamble[0]?.[0]?.[0]).not.toBe("");
    await chart.close();
  });

  it.each<[string, () => string]>([
    ["an envelope read to its end", () => envelope(fixture("group-by.csv"))],
    [
      "an envelope with keys after the data",
      () => `{"data": ${JSON.stringify(fixture("group-by.csv"))}, "extra": [1, 2, {"a": "b"}]}`,
    ],
    ["raw CSV", () => fixture("group-by.csv")],
  ])("closes the file once %s has been read", async (_, text) => {
    const body = await spooled(text());
    const before = openFiles();
    await exportFrom(body);
    expect(openFiles()).toBe(before);
  });

  it("closes the file when the reader stops early", async () => {
    const body = await spooled(envelope(fixture("group-by.csv").repeat(200)));
    const before = openFiles();
    const chart = await readChartExport(body);
    expect(openFiles()).toBe(before + 1);
    await chart.close();
    expect(openFiles()).toBe(before);
  });

  it("fails with a system error naming the chart for an empty or HTML body", async () => {
    await expect(readChartExport(await spooled(""))).rejects.toThrow(/chart abc123de is empty/);
    await expect(
      readChartExport(await spooled("<html><body>Sign in</body></html>")),
    ).rejects.toThrow(/HTML page/);
  });

  it("fails before giving any record when the envelope lacks its closing brace", async () => {
    const body = envelope(fixture("event-segmentation.csv"));
    await expect(readChartExport(await spooled(body.slice(0, -20)))).rejects.toThrow(/cut short/);
  });

  it("explains JSON without data as a system error that names the chart and shows what it says", async () => {
    const body = await spooled(JSON.stringify({ error: { message: "Query failed" } }));
    const failure = readChartExport(body);
    await expect(failure).rejects.toMatchObject({ failureType: "system_error" });
    await expect(failure).rejects.toThrow(
      'Amplitude\'s answer for chart abc123de is JSON without chart data: {"error":{"message":"Query failed"}}. ' +
        "If base_url is set, check that it points at Amplitude's Dashboard REST API.",
    );
  });

  it("explains raw CSV cut inside a quoted cell when the rows reach the cut, showing the end", async () => {
    const cut = `${fixture("group-by.csv")}"\tCut short","12`;
    const body = await spooled(cut, "text/csv");
    const chart = await readChartExport(body);
    const rows = collect(chart.rows());
    await expect(rows).rejects.toMatchObject({ failureType: "system_error" });
    await expect(rows).rejects.toThrow(
      new RegExp(
        `chart abc123de was cut short: the CSV ends inside a quoted cell \\(${body.bytes} bytes arrived, ending: \\.\\.\\.`,
      ),
    );
    await chart.close();
  });

  it("explains a CSV without any table", async () => {
    await expect(readChartExport(await spooled('""\r\n\r\n""\r\n', "text/csv"))).rejects.toThrow(
      /chart abc123de holds no table/,
    );
  });
});
