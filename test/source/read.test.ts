import { afterAll, describe, expect, it } from "vitest";
import {
  errorTraces,
  logs,
  recordValidator,
  records,
  stateCounts,
  type Message,
  CHART_RECORD_FIELDS,
} from "../helpers/protocol.js";
import { catConfiguredStream, INVALID_CATALOG } from "../helpers/run-cli.js";
import { DATA_TABLE, EMPTY, FUNNEL, PLAIN, RETENTION, WAU, smallChart } from "../helpers/charts.js";
import { completed, configFor, run, serve, timeline, stopFakes } from "../helpers/connector.js";

afterAll(stopFakes);

/** Serves `body` as it is for the funnel chart; the read must give the funnel's records. */
async function expectFunnelFrom(body: string): Promise<void> {
  const fake = await serve({ [FUNNEL.id]: { csv: body, raw: true } });
  const result = await run("read", {
    config: configFor(fake, [FUNNEL.id]),
    catalog: [`chart_${FUNNEL.id}`, "charts_metadata"],
  });
  expect(result.code, result.stderr).toBe(0);
  expect(records(result.messages, `chart_${FUNNEL.id}`)).toEqual(FUNNEL.records);
  expect(records(result.messages, "charts_metadata")).toEqual([FUNNEL.metadata]);
}

const CHARTS = [WAU, FUNNEL, RETENTION, PLAIN, EMPTY, DATA_TABLE];
const ALL_STREAMS = ["charts_metadata", ...CHARTS.map((c) => `chart_${c.id}`)];

async function serveAll() {
  return serve({
    [WAU.id]: { csv: WAU.csv },
    [FUNNEL.id]: { csv: FUNNEL.csv },
    [RETENTION.id]: { csv: RETENTION.csv, raw: true },
    [PLAIN.id]: { csv: PLAIN.csv },
    [EMPTY.id]: { csv: EMPTY.csv },
    [DATA_TABLE.id]: { csv: DATA_TABLE.csv },
  });
}

const chartIds = CHARTS.map((c) => c.id);

describe.concurrent("read", () => {
  it("emits every chart's records exactly as the contract says, with the stream lifecycle", async () => {
    const fake = await serveAll();
    // The platform's way: discover, then read every discovered stream.
    const discovered = await run("discover", { config: configFor(fake, chartIds) });
    const catalog = discovered.messages.find((m) => m.type === "CATALOG")?.catalog as {
      streams: { name: string; json_schema: Record<string, unknown> }[];
    };
    expect(catalog.streams.map((s) => s.name)).toEqual(ALL_STREAMS);
    const result = await run("read", {
      config: configFor(fake, chartIds),
      catalog: {
        streams: catalog.streams.map((stream) => ({
          stream,
          sync_mode: "full_refresh",
          destination_sync_mode: "overwrite",
        })),
      },
    });
    expect(result.code, result.stderr).toBe(0);
    const { messages } = result;
    expect(errorTraces(messages)).toEqual([]);

    for (const chart of CHARTS) {
      const stream = `chart_${chart.id}`;
      expect(records(messages, stream), stream).toEqual(chart.records);
      // Field order as the contract lists it.
      for (const data of records(messages, stream)) {
        expect(Object.keys(data)).toEqual(CHART_RECORD_FIELDS);
      }
      expect(timeline(messages, stream), stream).toEqual(completed(chart.records.length));
      expect(stateCounts(messages, stream)).toEqual([chart.records.length]);
    }
    expect(records(messages, "charts_metadata")).toEqual(CHARTS.map((c) => c.metadata));
    expect(timeline(messages, "charts_metadata")).toEqual(completed(CHARTS.length));

    // Each chart requested once, although both its stream and charts_metadata want it.
    for (const id of chartIds) expect(fake.requestsFor(id)).toHaveLength(1);
    expect(fake.requests.every((r) => r.authorized)).toBe(true);

    // Chart streams come in config order.
    const started = messages
      .filter((m) => m.type === "TRACE" && traceStatus(m) === "STARTED")
      .map((m) => traceStream(m));
    expect(started.filter((s) => s.startsWith("chart_"))).toEqual(
      chartIds.map((id) => `chart_${id}`),
    );

    // Every record fits the schema discover announced for its stream.
    for (const { name, json_schema } of catalog.streams) {
      const validate = recordValidator(json_schema);
      for (const record of records(messages, name)) {
        expect(validate(record), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });

  it("gives the same records on a second read, with later emitted_at", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const input = { config: configFor(fake, [WAU.id]), catalog: [`chart_${WAU.id}`] };
    const first = await run("read", input);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await run("read", input);
    expect(records(second.messages)).toEqual(records(first.messages));
    const emittedAt = (messages: Message[]): number[] =>
      messages
        .filter((m) => m.type === "RECORD")
        .map((m) => (m.record as { emitted_at: number }).emitted_at);
    expect(Math.min(...emittedAt(second.messages))).toBeGreaterThan(
      Math.max(...emittedAt(first.messages)),
    );
  });

  it("reads only charts_metadata: one request per chart, no chart streams", async () => {
    const fake = await serveAll();
    const result = await run("read", {
      config: configFor(fake, chartIds),
      catalog: ["charts_metadata"],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages, "charts_metadata")).toEqual(CHARTS.map((c) => c.metadata));
    expect(records(result.messages).length).toBe(CHARTS.length);
    expect(timeline(result.messages, "charts_metadata")).toEqual(completed(CHARTS.length));
    for (const chart of CHARTS) {
      expect(timeline(result.messages, `chart_${chart.id}`)).toEqual([]);
      expect(fake.requestsFor(chart.id)).toHaveLength(1);
    }
  });

  it("requests only the charts whose streams are selected", async () => {
    const fake = await serveAll();
    const result = await run("read", {
      config: configFor(fake, chartIds),
      catalog: [`chart_${FUNNEL.id}`],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages)).toEqual(FUNNEL.records);
    expect(fake.requests.map((r) => r.chartId)).toEqual([FUNNEL.id]);
    expect(timeline(result.messages, "charts_metadata")).toEqual([]);
  });

  it("reads a chart given as a URL, twice in the config, once, as chart_{id}", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const result = await run("read", {
      config: configFor(fake, [
        `https://app.amplitude.com/analytics/acme/chart/${WAU.id}/edit/xyz`,
        WAU.id,
      ]),
      catalog: [`chart_${WAU.id}`, "charts_metadata"],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages, `chart_${WAU.id}`)).toEqual(WAU.records);
    expect(records(result.messages, "charts_metadata")).toEqual([WAU.metadata]);
    expect(fake.requests).toHaveLength(1);
  });

  it("accepts a catalog as the acceptance tests write it, with null optionals", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const result = await run("read", {
      config: configFor(fake, [WAU.id]),
      catalog: {
        streams: [catConfiguredStream(`chart_${WAU.id}`), catConfiguredStream("charts_metadata")],
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages, `chart_${WAU.id}`)).toEqual(WAU.records);
    expect(records(result.messages, "charts_metadata")).toEqual([WAU.metadata]);
  });

  it("accepts --state (full refresh ignores it) and unknown flags such as --debug", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const result = await run("read", {
      config: configFor(fake, [WAU.id]),
      catalog: [`chart_${WAU.id}`],
      state: [
        {
          type: "STREAM",
          stream: { stream_descriptor: { name: `chart_${WAU.id}` }, stream_state: {} },
        },
      ],
      extra: ["--debug"],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages)).toEqual(WAU.records);
    expect(timeline(result.messages, `chart_${WAU.id}`)).toEqual(completed(WAU.records.length));
  });

  it.each([
    [
      "an unknown stream",
      () => ({
        streams: [
          {
            stream: {
              name: "chart_other",
              json_schema: {},
              supported_sync_modes: ["full_refresh"],
            },
            sync_mode: "full_refresh",
            destination_sync_mode: "overwrite",
          },
        ],
      }),
      /chart_other/,
    ],
    [
      "sync_mode incremental for charts_metadata",
      () => ({
        streams: [
          {
            stream: {
              name: "charts_metadata",
              json_schema: {},
              supported_sync_modes: ["full_refresh"],
            },
            sync_mode: "incremental",
            destination_sync_mode: "append",
          },
        ],
      }),
      /"charts_metadata" asks for sync_mode "incremental", but it supports full_refresh/,
    ],
    [
      "an unknown stream with sync_mode INVALID (as the acceptance tests send)",
      () => INVALID_CATALOG,
      /__AIRBYTE__stream_that_does_not_exist/,
    ],
  ])("rejects %s: config_error, non-zero exit, no request", async (_, catalog, names) => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const result = await run("read", { config: configFor(fake, [WAU.id]), catalog: catalog() });
    expect(result.code).not.toBe(0);
    const traces = errorTraces(result.messages);
    expect(traces).toHaveLength(1);
    expect(traces[0]?.failure_type).toBe("config_error");
    expect(traces[0]?.message).toMatch(names);
    expect(records(result.messages)).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ["Standard Server", "Standard Server", "https://amplitude.com"],
    ["EU Residency Server", "EU Residency Server", "https://analytics.eu.amplitude.com"],
    ["unset", undefined, "https://amplitude.com"],
  ])(
    "data_region %s asks the matching host (seen through HTTPS_PROXY)",
    async (_, region, host) => {
      // No internet here: a proxy that refuses connections makes every attempt fail fast.
      const fake = await serve({});
      const proxy = fake.baseUrl;
      await fake.stop();
      const config: Record<string, unknown> = {
        api_key: "k-1234",
        secret_key: "s-5678",
        chart_ids: ["abc123de"],
      };
      if (region !== undefined) config.data_region = region;
      const result = await run("read", {
        config,
        catalog: ["chart_abc123de"],
        env: { HTTPS_PROXY: proxy, https_proxy: proxy, NO_PROXY: "", no_proxy: "" },
      });
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain(`${host}/api/3/chart/abc123de/csv`);
      expect(errorTraces(result.messages)[0]?.failure_type).toBe("transient_error");
    },
  );

  it("reads an envelope with other keys around data and \\u escapes, whatever its Content-Type", async () => {
    const escaped = JSON.stringify(FUNNEL.csv).replace(/\\t/g, "\\u0009");
    const body = `{"status": "ok", "meta": {"rows": [1, 2], "note": "a \\"data\\" key"},\n "data": ${escaped}, "extra": null}`;
    await expectFunnelFrom(body);
  });

  it("reads a raw text/csv body like the envelope", async () => {
    await expectFunnelFrom(FUNNEL.csv);
  });

  it("reads a data table too long to hold while the table is looked for: every cell once", async () => {
    const rows = 1_500;
    const lines = [
      `"\tLong data table"`,
      ``,
      `"\tcountry","\tTime","\tUniques--All Users"`,
      ...Array.from({ length: rows }, (_, i) => `"\tC${i}","\t2026-03-05","\t${i}.0"`),
    ];
    const fake = await serve({ long7: { csv: lines.join("\r\n") + "\r\n" } });
    const result = await run("read", {
      config: configFor(fake, ["long7"]),
      catalog: ["chart_long7"],
    });
    expect(result.code, result.stderr).toBe(0);
    const values = records(result.messages).map((r) => [r.dimension_value, r.value]);
    expect(values).toEqual(Array.from({ length: rows }, (_, i) => [`C${i}; 2026-03-05`, i]));
  });

  it("warns, naming the chart and its header, when a table with rows gives no record", async () => {
    // Every cell marked, and no column named <metric>--<segment>: no value column is found.
    const csv = ['"\tOdd table"', "", '"\tcountry","\tUsers"', '"\tCanada","\t28"'].join("\r\n");
    const fake = await serve({ odd8: { csv } });
    const result = await run("read", {
      config: configFor(fake, ["odd8"]),
      catalog: ["chart_odd8"],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(timeline(result.messages, "chart_odd8")).toEqual(completed(0));
    expect(logs(result.messages, "WARN")).toContain(
      'Chart odd8: its table has 1 rows, but no column of its header ("country", "Users") could be read as values, ' +
        "so it gave no record. Open the chart in Amplitude and check that it shows numbers; if it does, report this header " +
        "(docs/amplitude-charts.md, 'How charts become rows', says how columns are read).",
    );
  });

  it("warns when a table sits exactly on an Amplitude export cap", async () => {
    const fake = await serve({ capped: { csv: smallChart("Capped", 300) } });
    const result = await run("read", {
      config: configFor(fake, ["capped"]),
      catalog: ["chart_capped"],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages)).toHaveLength(900);
    const warnings = result.messages
      .filter((m) => m.type === "LOG" && (m.log as { level: string }).level === "WARN")
      .map((m) => (m.log as { message: string }).message);
    expect(warnings.join("\n")).toMatch(/capped.*300 rows.*truncated/s);
  });
});

function traceStatus(m: Message): string | undefined {
  return (m.trace as { stream_status?: { status: string } }).stream_status?.status;
}

function traceStream(m: Message): string {
  return (m.trace as { stream_status: { stream_descriptor: { name: string } } }).stream_status
    .stream_descriptor.name;
}
