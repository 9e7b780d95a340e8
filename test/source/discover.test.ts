import { afterAll, describe, expect, it } from "vitest";
import { errorTraces } from "../helpers/protocol.js";
import { API_KEY, SECRET_KEY, configFor, run, serve, stopFakes } from "../helpers/connector.js";

afterAll(stopFakes);

interface Stream {
  name: string;
  json_schema: {
    $schema: string;
    type: string;
    properties: Record<string, { type: string | string[]; format?: string }>;
  };
  supported_sync_modes: string[];
  source_defined_primary_key: string[][];
  is_resumable: boolean;
}

async function discover(config: unknown) {
  const result = await run("discover", { config });
  expect(result.code, result.stderr).toBe(0);
  expect(result.messages.filter((m) => m.type !== "LOG")).toHaveLength(1);
  const catalog = result.messages.find((m) => m.type === "CATALOG")?.catalog as {
    streams: Stream[];
  };
  return catalog.streams;
}

/** Each property's type(s), sorted: {"value": "null,number"}. */
const types = (stream: Stream): Record<string, string> =>
  Object.fromEntries(
    Object.entries(stream.json_schema.properties).map(([name, { type }]) => [
      name,
      [type].flat().sort().join(","),
    ]),
  );

describe.concurrent("discover", () => {
  it("lists charts_metadata, then chart_{id} per chart in config order, with no request", async () => {
    const fake = await serve({});
    const streams = await discover(
      configFor(fake, [
        "zz9top",
        "https://app.amplitude.com/analytics/acme/chart/abc123de",
        "https://app.amplitude.com/analytics/acme/chart/x9y8z7w6/edit/q1",
        "https://analytics.amplitude.com/acme/chart/old-style1",
        "https://app.amplitude.com/analytics/acme/chart?id=byparam7",
        "app.amplitude.com/analytics/acme/chart/noscheme5",
        "abc123de",
        "https://app.amplitude.com/analytics/acme/chart/zz9top",
      ]),
    );
    expect(streams.map((s) => s.name)).toEqual([
      "charts_metadata",
      "chart_zz9top",
      "chart_abc123de",
      "chart_x9y8z7w6",
      "chart_old-style1",
      "chart_byparam7",
      "chart_noscheme5",
    ]);
    expect(fake.requests).toHaveLength(0);
  });

  it("gives the schemas and primary keys of the contract", async () => {
    const streams = await discover(configFor("https://amplitude.com", ["abc123de"]));
    const [metadata, chart] = streams as [Stream, Stream];
    expect(metadata.supported_sync_modes).toEqual(["full_refresh"]);
    expect(chart.supported_sync_modes).toEqual(["full_refresh", "incremental"]);
    expect(chart).toMatchObject({
      source_defined_cursor: true,
      default_cursor_field: ["period_start"],
    });
    for (const stream of streams) {
      expect(stream.is_resumable).toBe(false);
      expect(stream.json_schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
      expect(stream.json_schema.type).toBe("object");
    }
    expect(chart.source_defined_primary_key).toEqual([
      ["chart_id"],
      ["dimension_value"],
      ["segment"],
    ]);
    expect(types(chart)).toEqual({
      chart_id: "string",
      dimension_name: "string",
      dimension_value: "string",
      segment: "string",
      value: "null,number",
      dimensions: "object",
      period_start: "null,string",
    });
    expect(chart.json_schema.properties.period_start).toMatchObject({
      format: "date-time",
      airbyte_type: "timestamp_without_timezone",
    });
    expect(metadata.source_defined_primary_key).toEqual([["chart_id"]]);
    expect(types(metadata)).toEqual({
      chart_id: "string",
      title: "null,string",
      description: "null,string",
      metric: "null,string",
      event: "null,string",
      dimension: "null,string",
      filters: "null,object",
      chart_type: "null,string",
      url: "null,string",
      group_by: "array,null",
      definition: "null,object",
      updated_at: "null,string",
    });
  });

  it("needs no network: works with the default host and no internet", async () => {
    const streams = await discover({
      api_key: API_KEY,
      secret_key: SECRET_KEY,
      chart_ids: ["abc123de"],
      data_region: "EU Residency Server",
    });
    expect(streams.map((s) => s.name)).toEqual(["charts_metadata", "chart_abc123de"]);
  });

  it.each([
    [{ max_concurrent_requests: 9 }, /max_concurrent_requests/],
    [
      { chart_ids: ["abc123de", "https://app.amplitude.com/analytics/acme/home"] },
      /chart_ids\[1\]/,
    ],
  ])("rejects an invalid config %j with a config_error naming the field", async (extra, names) => {
    const result = await run("discover", {
      config: { ...configFor("https://amplitude.com", ["abc123de"]), ...extra },
    });
    expect(result.code).not.toBe(0);
    expect(result.messages.some((m) => m.type === "CATALOG")).toBe(false);
    const traces = errorTraces(result.messages);
    expect(traces).toHaveLength(1);
    expect(traces[0]?.failure_type).toBe("config_error");
    expect(traces[0]?.message).toMatch(names);
  });
});
