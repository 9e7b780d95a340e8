import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { validate } from "../../src/config/config-validator.js";
import { loadSpec } from "../../src/spec.js";
import {
  configValidatorSource,
  VALIDATOR_OPTIONS,
  VALIDATOR_PATH,
} from "../../scripts/config-validator.js";

const minimal = { api_key: "k".repeat(32), secret_key: "s".repeat(32), chart_ids: ["abc123de"] };

describe("the generated config validator", () => {
  it("is spec.json's as it is now (else: npm run validator)", async () => {
    expect(readFileSync(VALIDATOR_PATH, "utf8")).toBe(await configValidatorSource());
  });

  it.each<[string, unknown]>([
    ["a minimal config", minimal],
    [
      "every option",
      {
        ...minimal,
        data_region: "EU Residency Server",
        developer_api_token: "amp_x",
        project_id: " 123 ",
        base_url: "http://127.0.0.1:1",
        developer_api_base_url: "https://x",
        max_concurrent_requests: 5,
        request_timeout_seconds: 1,
        other: true,
      },
    ],
    ["nothing", {}],
    [
      "wrong types",
      {
        api_key: 42,
        secret_key: ["x"],
        chart_ids: "abc123de",
        data_region: 1,
        max_concurrent_requests: "3",
        request_timeout_seconds: null,
        project_id: 5,
      },
    ],
    [
      "bad values",
      {
        ...minimal,
        api_key: "",
        chart_ids: ["", 5],
        data_region: "US",
        max_concurrent_requests: 2.5,
        request_timeout_seconds: 0,
        project_id: "12a",
      },
    ],
    [
      "an empty chart list, a large concurrency",
      { ...minimal, chart_ids: [], max_concurrent_requests: 9 },
    ],
  ])("judges %s as ajv's compiler does: same errors, same defaults", (_, raw) => {
    const compiled = new Ajv(VALIDATOR_OPTIONS).compile(loadSpec().connectionSpecification);
    const [ours, theirs] = [structuredClone(raw), structuredClone(raw)];
    expect(validate(ours)).toBe(compiled(theirs));
    expect(validate.errors).toEqual(compiled.errors);
    expect(ours).toEqual(theirs);
  });
});
