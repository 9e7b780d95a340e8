import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "./support.js";

const SPEC_JSON = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "spec.json");
const specJson = JSON.parse(readFileSync(SPEC_JSON, "utf8")) as Record<string, unknown>;

describe.concurrent("spec", () => {
  it("prints one SPEC message equal to spec.json", async () => {
    const result = await run("spec");
    expect(result.code, result.stderr).toBe(0);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]?.type).toBe("SPEC");
    expect(result.messages[0]?.spec).toEqual(specJson);
  });

  it("works from any working directory, and with unknown flags", async () => {
    const result = await run("spec", { cwd: tmpdir(), extra: ["--debug"] });
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
});
