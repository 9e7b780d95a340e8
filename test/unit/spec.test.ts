import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** spec.json, the form Airbyte draws from it, as the contract describes it. */
const SPEC_JSON = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "spec.json");
const specJson = JSON.parse(readFileSync(SPEC_JSON, "utf8")) as Record<string, unknown>;

describe("spec.json", () => {
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
      "lookback_days",
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
