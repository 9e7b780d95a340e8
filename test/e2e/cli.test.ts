import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FUNNEL, WAU } from "../helpers/charts.js";
import {
  completed,
  configFor,
  connectionStatus,
  run,
  serve,
  stopFakes,
  timeline,
} from "../helpers/connector.js";
import { errorTraces, records } from "../helpers/protocol.js";

/*
 * The built CLI as a child process, as the platform runs it: what only a real process
 * shows (its exit code, its stderr, a pipe for stdout, its working directory). The
 * connector's behaviour in detail is tested in process, in test/source.
 */
afterAll(stopFakes);

const SPEC_JSON = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "spec.json");
const specJson = JSON.parse(readFileSync(SPEC_JSON, "utf8")) as Record<string, unknown>;

describe.concurrent("the CLI", () => {
  it("reads charts: every record, the stream lifecycle, exit 0", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv }, [FUNNEL.id]: { csv: FUNNEL.csv } });
    const result = await run("read", {
      config: configFor(fake, [WAU.id, FUNNEL.id]),
      catalog: [`chart_${WAU.id}`, `chart_${FUNNEL.id}`, "charts_metadata"],
      via: "cli",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(records(result.messages, `chart_${WAU.id}`)).toEqual(WAU.records);
    expect(records(result.messages, `chart_${FUNNEL.id}`)).toEqual(FUNNEL.records);
    expect(records(result.messages, "charts_metadata")).toEqual([WAU.metadata, FUNNEL.metadata]);
    expect(timeline(result.messages, `chart_${WAU.id}`)).toEqual(completed(WAU.records.length));
  });

  it("a chart that fails among good ones: the others complete, exit 1, one line on stderr", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const result = await run("read", {
      config: configFor(fake, ["gone404", WAU.id]),
      catalog: ["chart_gone404", `chart_${WAU.id}`],
      via: "cli",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "source-amplitude-charts: the read finished with failed streams; see the ERROR traces on stdout.\n",
    );
    expect(errorTraces(result.messages).map((e) => e.stream_descriptor?.name)).toEqual([
      "chart_gone404",
    ]);
    expect(timeline(result.messages, `chart_${WAU.id}`)).toEqual(completed(WAU.records.length));
  });

  it("checks a config from another working directory: SUCCEEDED, exit 0", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const result = await run("check", {
      config: configFor(fake, [WAU.id]),
      cwd: tmpdir(),
      via: "cli",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(connectionStatus(result.messages).status).toBe("SUCCEEDED");
  });

  it("prints one SPEC message equal to spec.json", async () => {
    const result = await run("spec", { via: "cli" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]?.type).toBe("SPEC");
    expect(result.messages[0]?.spec).toEqual(specJson);
  });

  it("works from any working directory, and with unknown flags", async () => {
    const result = await run("spec", { cwd: tmpdir(), extra: ["--debug"], via: "cli" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]?.spec).toEqual(specJson);
  });

  it("describes the configuration as the contract says", () => {
    const spec = specJson.connectionSpecification as {
      $schema: string;
      required: string[];
      properties: Record<string, Record<string, unknown>>;
    };
    expect(spec.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(JSON.stringify(spec)).not.toContain("$ref");
    expect([...spec.required].sort()).toEqual(["api_key", "chart_ids", "secret_key"]);
    const p = spec.properties;
    expect(p.api_key).toMatchObject({ type: "string", airbyte_secret: true });
    expect(p.secret_key).toMatchObject({ type: "string", airbyte_secret: true });
    expect(p.chart_ids).toMatchObject({ type: "array", items: { type: "string" }, minItems: 1 });
    expect(p.data_region).toMatchObject({
      type: "string",
      enum: ["Standard Server", "EU Residency Server"],
      default: "Standard Server",
    });
    expect(p.base_url).toMatchObject({ type: "string" });
    expect(p.max_concurrent_requests).toMatchObject({
      type: "integer",
      minimum: 1,
      maximum: 5,
      default: 2,
    });
    expect(p.request_timeout_seconds).toMatchObject({ type: "integer", default: 300 });
  });

  it("groups the form: keys, region and charts first, then the chart details, then the advanced options", () => {
    const spec = specJson.connectionSpecification as {
      groups: { id: string; title: string }[];
      properties: Record<string, { group?: string; order?: number; always_show?: boolean }>;
    };
    const inGroup = (id: string): string[] =>
      Object.entries(spec.properties)
        .filter(([, p]) => p.group === id)
        .sort(([, a], [, b]) => (a.order ?? 0) - (b.order ?? 0))
        .map(([name]) => name);
    expect(spec.groups.map((g) => g.id)).toEqual(["connection", "enrichment", "advanced"]);
    expect(inGroup("connection")).toEqual(["api_key", "secret_key", "data_region", "chart_ids"]);
    expect(inGroup("enrichment")).toEqual(["developer_api_token", "project_id"]);
    expect(inGroup("advanced")).toEqual([
      "base_url",
      "developer_api_base_url",
      "max_concurrent_requests",
      "request_timeout_seconds",
    ]);
    // Every field is in a group; the optional region is shown, not folded away.
    expect(Object.values(spec.properties).every((p) => p.group !== undefined)).toBe(true);
    expect(spec.properties.data_region?.always_show).toBe(true);
    expect(
      (spec.properties.chart_ids as { items?: { pattern_descriptor?: string } }).items
        ?.pattern_descriptor,
    ).toBe("chart ID or chart URL");
  });
});
