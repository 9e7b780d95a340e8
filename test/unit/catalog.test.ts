import { describe, expect, it } from "vitest";
import { selectStreams } from "../../src/config/configured-catalog.js";
import { parseConfig } from "../../src/config/config.js";
import { ConnectorError } from "../../src/errors.js";
import { catalogStreams } from "../../src/streams/discovered-catalog.js";
import {
  assertAirbyteMessage,
  CHART_RECORD_FIELDS,
  METADATA_RECORD_FIELDS,
} from "../helpers/protocol.js";
import { catConfiguredStream } from "../helpers/run-cli.js";

const config = parseConfig({
  api_key: "k".repeat(32),
  secret_key: "s".repeat(32),
  chart_ids: ["abc123de", "https://app.amplitude.com/analytics/ORG/chart/x9y8z7w6"],
});

function configErrorOf(raw: unknown): ConnectorError {
  try {
    selectStreams(raw, config);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).failureType).toBe("config_error");
    return error as ConnectorError;
  }
  throw new Error("selectStreams accepted the catalog");
}

describe("a configured catalog", () => {
  it("with null optionals (as the acceptance tests write it) selects its streams", () => {
    const selected = selectStreams(
      { streams: [catConfiguredStream("charts_metadata"), catConfiguredStream("chart_x9y8z7w6")] },
      config,
    );
    expect(selected.metadata).toBe(true);
    expect([...selected.charts]).toEqual([["x9y8z7w6", "full_refresh"]]);
  });

  it("may select only chart streams, or only charts_metadata", () => {
    expect(selectStreams({ streams: [catConfiguredStream("chart_abc123de")] }, config)).toEqual({
      charts: new Map([["abc123de", "full_refresh"]]),
      metadata: false,
      from: "configured",
    });
    expect(selectStreams({ streams: [catConfiguredStream("charts_metadata")] }, config)).toEqual({
      charts: new Map(),
      metadata: true,
      from: "configured",
    });
  });

  it("may be empty", () => {
    expect(selectStreams({ streams: [] }, config)).toEqual({
      charts: new Map(),
      metadata: false,
      from: "configured",
    });
  });
});

describe("discover's output given as the catalog", () => {
  const discovered = { type: "CATALOG", catalog: { streams: catalogStreams(config.chartIds) } };
  const every = {
    charts: new Map([
      ["abc123de", "full_refresh"],
      ["x9y8z7w6", "full_refresh"],
    ]),
    metadata: true,
    from: "discovered",
  };

  it("is read as every stream, full refresh: the CATALOG message, its catalog, or its lines", () => {
    expect(selectStreams(discovered, config)).toEqual(every);
    expect(selectStreams(discovered.catalog, config)).toEqual(every);
    expect(selectStreams([{ type: "LOG", log: {} }, discovered], config)).toEqual(every);
  });

  it("made for other chart_ids, says so and what to do", () => {
    const other = parseConfig({ ...config, api_key: "k", secret_key: "s", chart_ids: ["zzz999"] });
    const stale = { type: "CATALOG", catalog: { streams: catalogStreams(other.chartIds) } };
    const message = configErrorOf(stale).message;
    expect(message).toContain(
      'stream "chart_zzz999" is not a stream of this config (a catalog made for other chart_ids?)',
    );
    expect(message).toContain("pass discover's output as it is");
  });
});

describe("a catalog that does not fit the config", () => {
  it("names a stream that is not a stream of this config, and lists the streams that are", () => {
    const message = configErrorOf({
      streams: [catConfiguredStream("chart_abc123de"), catConfiguredStream("chart_gone1")],
    }).message;
    expect(message).toContain('"chart_gone1"');
    expect(message).toContain("not a stream of this config");
    for (const known of ["charts_metadata", "chart_abc123de", "chart_x9y8z7w6"]) {
      expect(message).toContain(known);
    }
    expect(message).toContain("discover");
  });

  it.each(["INVALID", null])("names the stream that asks for sync_mode %j", (mode) => {
    const message = configErrorOf({
      streams: [catConfiguredStream("chart_abc123de", mode)],
    }).message;
    expect(message).toContain(
      `stream "chart_abc123de" asks for sync_mode ${JSON.stringify(mode)}, but it supports full_refresh and incremental`,
    );
  });

  it("takes incremental for a chart stream, and refuses it for charts_metadata", () => {
    expect(
      selectStreams({ streams: [catConfiguredStream("chart_abc123de", "incremental")] }, config)
        .charts,
    ).toEqual(new Map([["abc123de", "incremental"]]));
    expect(
      configErrorOf({ streams: [catConfiguredStream("charts_metadata", "incremental")] }).message,
    ).toContain(
      'stream "charts_metadata" asks for sync_mode "incremental", but it supports full_refresh',
    );
  });

  it("reports every problem at once", () => {
    const message = configErrorOf({
      streams: [
        catConfiguredStream("charts_metadata", "incremental"),
        catConfiguredStream("chart_other"),
      ],
    }).message;
    expect(message).toContain('"charts_metadata"');
    expect(message).toContain('"chart_other"');
  });

  it("rejects a stream without a name", () => {
    expect(configErrorOf({ streams: [{ sync_mode: "full_refresh" }] }).message).toContain(
      "streams[0]",
    );
  });

  it.each([null, [], {}, { streams: "all" }, "catalog"])("rejects %j as not a catalog", (raw) => {
    const message = configErrorOf(raw).message;
    expect(message).toContain('"streams" array');
    expect(message).toContain("discover --config CONFIG > catalog.json");
  });

  it.each([
    [{ type: "SPEC", spec: {} }, "a SPEC message (the output of spec)"],
    [{ type: "CONNECTION_STATUS", connectionStatus: {} }, "(the output of check)"],
    [{ api_key: "x", chart_ids: ["a"] }, "it is a config file, not a catalog"],
  ])("recognises %j as another file", (raw, says) => {
    expect(configErrorOf(raw).message).toContain(says);
  });
});

describe("discover", () => {
  const streams = catalogStreams(config.chartIds);

  it("lists charts_metadata, then chart_{id} per chart in config order", () => {
    expect(streams.map((s) => s.name)).toEqual([
      "charts_metadata",
      "chart_abc123de",
      "chart_x9y8z7w6",
    ]);
  });

  it("offers charts_metadata full refresh, each chart stream incremental too on period_start; none resumable", () => {
    const [metadata, ...charts] = streams;
    expect(metadata?.supported_sync_modes).toEqual(["full_refresh"]);
    expect(metadata?.source_defined_cursor).toBeUndefined();
    for (const stream of charts) {
      expect(stream.supported_sync_modes).toEqual(["full_refresh", "incremental"]);
      expect(stream.source_defined_cursor).toBe(true);
      expect(stream.default_cursor_field).toEqual(["period_start"]);
    }
    for (const stream of streams) expect(stream.is_resumable).toBe(false);
    expect(streams[0]?.source_defined_primary_key).toEqual([["chart_id"]]);
    expect(streams[1]?.source_defined_primary_key).toEqual([
      ["chart_id"],
      ["dimension_value"],
      ["segment"],
    ]);
  });

  it("gives draft-07 schemas without $ref that a valid AirbyteMessage carries", () => {
    for (const stream of streams) {
      expect(stream.json_schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
      expect(JSON.stringify(stream.json_schema)).not.toContain("$ref");
    }
    assertAirbyteMessage({ type: "CATALOG", catalog: { streams } });
  });

  it("declares every record field the contract lists", () => {
    expect(Object.keys(streams[0]?.json_schema.properties as object)).toEqual(
      METADATA_RECORD_FIELDS,
    );
    expect(Object.keys(streams[1]?.json_schema.properties as object)).toEqual(CHART_RECORD_FIELDS);
  });
});
