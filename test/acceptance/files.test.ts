import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  SAMPLE_API_KEY,
  SAMPLE_SECRET_KEY,
  sampleChartEntries,
  sampleExpectations,
} from "../../fake-amplitude/sample-charts.js";
import {
  SAMPLE_DEVELOPER_API_TOKEN,
  SAMPLE_PROJECT_ID,
} from "../../fake-amplitude/developer-api.js";
import { DEVELOPER_API_HOSTS, parseConfig, REGION_HOSTS } from "../../src/config/config.js";
import { DEFAULT_RETRY_POLICY } from "../../src/http/retry-policy.js";
import { PROGRESS_EVERY_MS } from "../../src/source/progress.js";
import { catalogStreams } from "../../src/streams/discovered-catalog.js";
import { assertConfiguredCatalog } from "../helpers/protocol.js";
import { draft07 } from "./cat-checks.js";
import { dockerfile, runtimeStage } from "../../scripts/dockerfile.js";
import {
  acceptanceConfig,
  metadata,
  readJson,
  readText,
  repoPath,
  testsOf,
  type TestEntry,
} from "./paths.js";

/**
 * The connector's packaging files, held together without running anything: metadata.yaml
 * (Airbyte's ConnectorMetadataDefinitionV0), acceptance-test-config.yml (CAT's format),
 * the Dockerfile, and the files under integration_tests/.
 */
const string = { type: "string" };
const object = { type: "object" };

/**
 * ConnectorMetadataDefinitionV0 as Airbyte's metadata service models it (extra fields
 * forbidden), with the shapes of the optional fields this project uses.
 */
const METADATA_SCHEMA = {
  type: "object",
  required: ["metadataSpecVersion", "data"],
  additionalProperties: false,
  properties: {
    metadataSpecVersion: string,
    data: {
      type: "object",
      additionalProperties: false,
      required: [
        "name",
        "definitionId",
        "connectorType",
        "dockerRepository",
        "dockerImageTag",
        "license",
        "documentationUrl",
        "githubIssueLabel",
        "connectorSubtype",
        "releaseStage",
      ],
      properties: {
        name: string,
        icon: string,
        definitionId: {
          type: "string",
          pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        },
        connectorBuildOptions: object,
        connectorTestSuitesOptions: {
          type: "array",
          items: {
            type: "object",
            required: ["suite"],
            additionalProperties: false,
            properties: {
              suite: { enum: ["unitTests", "integrationTests", "acceptanceTests", "liveTests"] },
              testSecrets: { type: "array" },
              testConnections: { type: "array" },
            },
          },
        },
        connectorType: { enum: ["source", "destination"] },
        dockerRepository: { type: "string", pattern: "^[a-z0-9]+([._/-][a-z0-9]+)*$" },
        dockerImageTag: { type: "string", pattern: "^\\d+\\.\\d+\\.\\d+(-[\\w.]+)?$" },
        supportsDbt: { type: "boolean" },
        supportsNormalization: { type: "boolean" },
        license: string,
        documentationUrl: { type: "string", pattern: "^https://" },
        externalDocumentationUrls: {
          type: "array",
          items: {
            type: "object",
            required: ["title", "url"],
            additionalProperties: false,
            properties: {
              title: string,
              url: { type: "string", pattern: "^https://" },
              type: {
                enum: [
                  "api_deprecations",
                  "api_reference",
                  "api_release_history",
                  "authentication_guide",
                  "data_model_reference",
                  "developer_community",
                  "migration_guide",
                  "openapi_spec",
                  "other",
                  "permissions_scopes",
                  "rate_limits",
                  "sql_reference",
                  "status_page",
                ],
              },
              requiresLogin: { type: "boolean" },
            },
          },
        },
        githubIssueLabel: string,
        maxSecondsBetweenMessages: { type: "integer" },
        releaseDate: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
        protocolVersion: string,
        erdUrl: string,
        connectorSubtype: {
          enum: [
            "api",
            "database",
            "datalake",
            "file",
            "custom",
            "message_queue",
            "unknown",
            "vectorstore",
          ],
        },
        releaseStage: { enum: ["alpha", "beta", "generally_available", "custom"] },
        supportLevel: { enum: ["community", "certified", "archived"] },
        tags: { type: "array", items: string },
        registryOverrides: object,
        allowedHosts: { type: "object", properties: { hosts: { type: "array", items: string } } },
        releases: object,
        normalizationConfig: object,
        suggestedStreams: object,
        resourceRequirements: object,
        ab_internal: object,
        remoteRegistries: object,
        supportsRefreshes: { type: "boolean" },
        generated: object,
        supportsFileTransfer: { type: "boolean" },
        supportsDataActivation: { type: "boolean" },
        connectorIPCOptions: object,
      },
    },
  },
};

/** CAT's config models forbid unknown keys; these are the keys each test entry may have. */
const CAT_TEST_KEYS: Record<string, string[]> = {
  spec: [
    "spec_path",
    "config_path",
    "timeout_seconds",
    "deployment_mode",
    "backward_compatibility_tests_config",
    "auth_default_method",
  ],
  connection: ["config_path", "status", "timeout_seconds", "deployment_mode"],
  discovery: [
    "config_path",
    "timeout_seconds",
    "deployment_mode",
    "backward_compatibility_tests_config",
    "validate_primary_keys_data_type",
  ],
  basic_read: [
    "config_path",
    "deployment_mode",
    "configured_catalog_path",
    "empty_streams",
    "expect_records",
    "validate_schema",
    "validate_stream_statuses",
    "validate_state_messages",
    "validate_primary_keys_data_type",
    "fail_on_extra_columns",
    "validate_data_points",
    "expect_trace_message_on_failure",
    "timeout_seconds",
    "file_types",
    "client_container_config",
  ],
  full_refresh: [
    "config_path",
    "configured_catalog_path",
    "timeout_seconds",
    "deployment_mode",
    "ignored_fields",
    "client_container_config",
  ],
  incremental: [
    "config_path",
    "configured_catalog_path",
    "future_state",
    "timeout_seconds",
    "deployment_mode",
    "skip_comprehensive_incremental_tests",
    "client_container_config",
  ],
  connector_attributes: [
    "config_path",
    "timeout_seconds",
    "streams_without_primary_key",
    "allowed_hosts",
    "suggested_streams",
  ],
  connector_documentation: ["config_path", "timeout_seconds"],
};
const MANDATORY_AT_HIGH = [
  "spec",
  "connection",
  "discovery",
  "basic_read",
  "full_refresh",
  "incremental",
];

const sampleConfig = (): Record<string, unknown> =>
  readJson("integration_tests/sample_config.json");
const sampleStreams = () => catalogStreams(parseConfig(sampleConfig()).chartIds);

describe("metadata.yaml", () => {
  it("validates against ConnectorMetadataDefinitionV0 (every required field, no unknown field)", () => {
    const validate = draft07().compile(METADATA_SCHEMA);
    expect(validate(metadata()), JSON.stringify(validate.errors)).toBe(true);
  });

  it("is a TypeScript API source with a community support level", () => {
    const { data } = metadata();
    expect(data).toMatchObject({
      connectorType: "source",
      connectorSubtype: "api",
      supportLevel: "community",
    });
    expect(data.tags).toContain("language:typescript");
  });

  it("allowedHosts names every host the connector may call: both APIs, both regions", () => {
    const hosts = metadata().data.allowedHosts?.hosts ?? [];
    for (const url of [...Object.values(REGION_HOSTS), ...Object.values(DEVELOPER_API_HOSTS)]) {
      expect(hosts).toContain(new URL(url).hostname);
    }
  });

  it("links Amplitude's API reference, rate limits and key guide", () => {
    const links = (metadata().data.externalDocumentationUrls ?? []) as { type?: string }[];
    for (const type of ["api_reference", "rate_limits", "authentication_guide"]) {
      expect(links.map((l) => l.type)).toContain(type);
    }
  });

  it("gives a release date, the acceptance suite and an icon.svg beside it", () => {
    const { data } = metadata();
    expect(Date.parse(String(data.releaseDate))).toBeLessThanOrEqual(Date.now());
    expect(data.connectorTestSuitesOptions).toContainEqual({ suite: "acceptanceTests" });
    expect(data.icon).toBe("icon.svg");
    const svg = readText("icon.svg");
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
  });

  it("maxSecondsBetweenMessages outlasts the longest a chart may keep a read silent", () => {
    // Records and states are the platform's heartbeat: the longest silence is one chart's
    // every attempt with the default timeout, and every retry's longest wait.
    const spec = readJson<{
      connectionSpecification: { properties: { request_timeout_seconds: { default: number } } };
    }>("spec.json");
    const attempt = spec.connectionSpecification.properties.request_timeout_seconds.default;
    const { maxRetries, maxRetryAfterMs } = DEFAULT_RETRY_POLICY;
    const silence = (maxRetries + 1) * attempt + (maxRetries * maxRetryAfterMs) / 1000;
    expect(metadata().data.maxSecondsBetweenMessages).toBeGreaterThan(silence);
    // ... and the progress lines come far more often than that.
    expect(PROGRESS_EVERY_MS / 1000).toBeLessThan(silence / 10);
  });

  it("agrees with package.json (version, license) and spec.json (documentationUrl)", () => {
    const { data } = metadata();
    const pkg = readJson<{ version: string; license: string }>("package.json");
    expect(data.dockerImageTag).toBe(pkg.version);
    expect(data.license).toBe(pkg.license);
    expect(data.documentationUrl).toBe(
      readJson<{ documentationUrl: string }>("spec.json").documentationUrl,
    );
  });
});

describe("acceptance-test-config.yml (CAT's current format)", () => {
  const config = acceptanceConfig();

  it("has connector_image (metadata's repository, tag dev), strictness high, known keys only", () => {
    expect(
      Object.keys(config).filter(
        (k) =>
          ![
            "connector_image",
            "acceptance_tests",
            "base_path",
            "test_strictness_level",
            "custom_environment_variables",
          ].includes(k),
      ),
    ).toEqual([]);
    expect(config.connector_image).toBe(`${metadata().data.dockerRepository}:dev`);
    expect(config.test_strictness_level).toBe("high");
    expect(Object.keys(config.acceptance_tests).filter((k) => !(k in CAT_TEST_KEYS))).toEqual([]);
  });

  it("configures every test high strictness makes mandatory, with tests or a bypass_reason", () => {
    for (const section of MANDATORY_AT_HIGH) {
      const entry = config.acceptance_tests[section];
      expect(entry, section).toBeDefined();
      const hasTests = (entry?.tests?.length ?? 0) > 0;
      expect(
        hasTests !== (typeof entry?.bypass_reason === "string"),
        `${section}: tests xor bypass_reason`,
      ).toBe(true);
    }
    // The chart streams are incremental: CAT reads them from a state, and from a far-future one.
    const [incremental] = testsOf("incremental");
    expect(incremental?.configured_catalog_path).toBe(
      "integration_tests/configured_catalog_incremental.json",
    );
    expect(incremental?.future_state?.future_state_path).toBe(
      "integration_tests/abnormal_state.json",
    );
  });

  it("uses only the keys CAT's models allow in each test", () => {
    for (const [section, keys] of Object.entries(CAT_TEST_KEYS)) {
      for (const test of testsOf(section)) {
        expect(
          Object.keys(test).filter((k) => !keys.includes(k)),
          section,
        ).toEqual([]);
      }
    }
  });

  it("connection has a succeed and a failed test; basic_read follows the high-strictness rules", () => {
    expect(
      testsOf("connection")
        .map((t) => t.status)
        .sort(),
    ).toEqual(["failed", "succeed"]);
    const [read] = testsOf("basic_read");
    expect(
      read?.configured_catalog_path,
      "high strictness reads the discovered catalog",
    ).toBeUndefined();
    expect(read?.validate_schema).not.toBe(false);
    expect(read?.expect_records?.path).toBe("integration_tests/expected_records.jsonl");
    expect(read?.expect_records?.bypass_reason).toBeUndefined();
  });

  it("points at files that exist (secrets/config.json is git-ignored)", () => {
    const paths = Object.keys(CAT_TEST_KEYS)
      .flatMap((section) => testsOf(section))
      .flatMap((t: TestEntry) => [
        t.config_path,
        t.spec_path,
        t.configured_catalog_path,
        t.expect_records?.path,
      ])
      .filter((p): p is string => typeof p === "string");
    expect(paths).toEqual(
      expect.arrayContaining([
        "secrets/config.json",
        "integration_tests/invalid_config.json",
        "integration_tests/configured_catalog.json",
        "spec.json",
      ]),
    );
    for (const path of paths) {
      if (path.startsWith("secrets/")) continue;
      expect(existsSync(repoPath(path)), path).toBe(true);
    }
    expect(readText(".gitignore").split("\n")).toContain("secrets/");
  });
});

describe("integration_tests/", () => {
  it("sample_config.json and sample_config_developer_api.json match the spec and show every option", () => {
    const spec = readJson<{ connectionSpecification: { properties: Record<string, unknown> } }>(
      "spec.json",
    );
    const validate = draft07().compile(spec.connectionSpecification);
    const withToken = readJson<Record<string, unknown>>(
      "integration_tests/sample_config_developer_api.json",
    );
    for (const sample of [sampleConfig(), withToken]) {
      expect(validate(sample), JSON.stringify(validate.errors)).toBe(true);
    }
    // The plain sample is the demo's and the acceptance tests' (no Developer API); the
    // other adds the enrichment's options, for the fake's sample token and project.
    expect(withToken).toMatchObject(sampleConfig());
    expect(withToken).toMatchObject({
      developer_api_token: SAMPLE_DEVELOPER_API_TOKEN,
      project_id: SAMPLE_PROJECT_ID,
    });
    expect(Object.keys(withToken).sort()).toEqual(
      Object.keys(spec.connectionSpecification.properties).sort(),
    );
  });

  it("sample_config.json names the fake Amplitude's sample project (keys and charts)", () => {
    expect(sampleConfig()).toMatchObject({
      api_key: SAMPLE_API_KEY,
      secret_key: SAMPLE_SECRET_KEY,
      chart_ids: sampleChartEntries(),
    });
  });

  it("expected_records.jsonl holds as many records per stream as the sample charts have cells", () => {
    const { recordCounts, titles } = sampleExpectations();
    const records = readText("integration_tests/expected_records.jsonl")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { stream: string; data: { chart_id: string; title?: string } });
    const counts: Record<string, number> = {};
    for (const r of records) counts[r.stream] = (counts[r.stream] ?? 0) + 1;
    expect(counts).toEqual(recordCounts);
    const metadataTitles = records
      .filter((r) => r.stream === "charts_metadata")
      .map((r) => [r.data.chart_id, r.data.title]);
    expect(Object.fromEntries(metadataTitles)).toEqual(titles);
  });

  it("invalid_config.json breaks the spec in one place, an empty secret_key, and names no server", () => {
    // So check fails for the same reason wherever CAT runs it (Airbyte's CI with the real
    // Amplitude, our CI with the fake, a laptop offline): before any request is sent.
    const invalid = readJson<Record<string, unknown>>("integration_tests/invalid_config.json");
    const spec = readJson<{ connectionSpecification: object }>("spec.json");
    const validate = draft07().compile(spec.connectionSpecification);
    expect(validate(invalid)).toBe(false);
    expect(validate.errors?.map((e) => `${e.instancePath} ${e.keyword}`)).toEqual([
      "/secret_key minLength",
    ]);
    expect(() => parseConfig(invalid)).toThrow("secret_key must not be empty");
    expect(validate({ ...invalid, secret_key: "x" })).toBe(true);
    expect(invalid).not.toHaveProperty("base_url");
    expect(invalid).not.toHaveProperty("developer_api_base_url");
  });

  it("configured_catalog.json is a ConfiguredAirbyteCatalog of the sample config's streams", () => {
    const catalog = readJson<{ streams: { stream: { name: string } }[] }>(
      "integration_tests/configured_catalog.json",
    );
    assertConfiguredCatalog(catalog);
    expect(catalog.streams.map((s) => s.stream.name)).toEqual(sampleStreams().map((s) => s.name));
  });

  it("expected_records.jsonl has CAT's line format and names only the sample streams", () => {
    const names = sampleStreams().map((s) => s.name);
    const lines = readText("integration_tests/expected_records.jsonl")
      .split("\n")
      .filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(record)).toEqual(["stream", "data", "emitted_at"]);
      expect(names).toContain(record.stream);
      expect(Number.isInteger(record.emitted_at)).toBe(true);
    }
    expect(new Set(lines.map((l) => (JSON.parse(l) as { stream: string }).stream))).toEqual(
      new Set(names),
    );
  });
});

describe("Dockerfile (+ .dockerignore)", () => {
  const instructions = dockerfile(readText("Dockerfile"));
  const runtime = runtimeStage(instructions);

  it("every stage starts from one exact Node.js LTS tag (node:MAJOR.MINOR.PATCH-<debian>-slim, no digest)", () => {
    const froms = instructions
      .filter((i) => i.keyword === "FROM")
      .map((i) => i.args.split(/\s+/)[0] ?? "");
    expect(new Set(froms).size).toBe(1);
    const match = /^node:(\d+)\.\d+\.\d+-(bookworm|trixie)-slim$/.exec(froms[0] ?? "");
    expect(match, froms[0]).not.toBeNull();
    const major = Number(match?.[1]);
    expect(major >= 22 && major % 2 === 0, `node ${major} is not an LTS line ≥ 22`).toBe(true);
  });

  // What the image holds and how it runs is checked on the built image (image.test.ts);
  // here only the rules the platform reads from the file itself.
  it("labels equal metadata.yaml; AIRBYTE_ENTRYPOINT is the exec-form ENTRYPOINT joined by spaces", () => {
    const { data } = metadata();
    expect(runtime.labels["io.airbyte.name"]).toBe(data.dockerRepository);
    expect(runtime.labels["io.airbyte.version"]).toBe(data.dockerImageTag);
    expect(runtime.entrypoint?.length).toBeGreaterThan(0);
    expect(runtime.env.AIRBYTE_ENTRYPOINT).toBe(runtime.entrypoint?.join(" "));
  });

  it(".dockerignore lets only the build's inputs in (never secrets/)", () => {
    const lines = readText(".dockerignore")
      .split("\n")
      .filter((l) => l !== "" && !l.startsWith("#"));
    expect(lines[0]).toBe("*");
    expect(lines.slice(1).every((l) => l.startsWith("!"))).toBe(true);
    expect(lines.some((l) => /secrets/.test(l))).toBe(false);
  });
});
