import { afterAll, describe, expect, it } from "vitest";
import {
  sampleDeveloperApi,
  SAMPLE_DEVELOPER_API_TOKEN,
  SAMPLE_PROJECT_ID,
  type DevFault,
  type FakeDeveloperApiOptions,
} from "../../fake-amplitude/developer-api.js";
import { sampleCharts, sampleProject } from "../../fake-amplitude/sample-charts.js";
import {
  completed,
  configFor,
  connectionStatus,
  run,
  serve,
  stopFakes,
  timeline,
} from "../helpers/connector.js";
import { errorTraces, logs, records, EXPORT_METADATA_FIELDS } from "../helpers/protocol.js";

afterAll(stopFakes);

const IDS = ["k2d8s0a1", "m7x3q9wz", "p4n6r2tb"];
const STREAMS = [...IDS.map((id) => `chart_${id}`), "charts_metadata"];
const TOKEN = SAMPLE_DEVELOPER_API_TOKEN;
const SAMPLE = sampleDeveloperApi().charts[SAMPLE_PROJECT_ID] ?? {};

/** The sample project's charts, their Developer API view changed by `change`. */
async function sampleFake(change: (api: FakeDeveloperApiOptions) => void = () => undefined) {
  const developerApi = sampleDeveloperApi();
  change(developerApi);
  return serve(sampleCharts(), {}, { developerApi });
}

/** A config for the fake, with the token (or another), the Developer API on the same port. */
const tokenConfig = (
  fake: Awaited<ReturnType<typeof serve>>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> =>
  configFor(fake, IDS, {
    developer_api_token: TOKEN,
    developer_api_base_url: fake.baseUrl,
    ...extra,
  });

const faults =
  (chartId: string, ...list: DevFault[]) =>
  (api: FakeDeveloperApiOptions) => {
    api.faults = { ...api.faults, [chartId]: list };
  };

describe.concurrent("charts_metadata with a Developer API token", () => {
  it("gains each chart's type, link, filters, group-bys and definition", async () => {
    const fake = await sampleFake();
    const result = await run("read", { config: tokenConfig(fake), catalog: STREAMS });
    expect(result.code, result.stderr).toBe(0);
    const metadata = records(result.messages, "charts_metadata");
    expect(metadata.map((r) => r.chart_id)).toEqual(IDS);
    expect(metadata[0]).toMatchObject({
      title: "Daily Active Users",
      chart_type: "event_segmentation",
      url: "https://app.amplitude.com/analytics/acme/chart/k2d8s0a1",
      updated_at: "2026-11-23T08:30:00Z",
      filters: {
        events: [
          { event_type: "_active", filters: [expect.objectContaining({ subprop_key: "country" })] },
        ],
        segments: [{ name: "New Users", conditions: [expect.any(Object)] }],
      },
      group_by: null,
      definition: SAMPLE.k2d8s0a1?.definition,
    });
    // The export has no description for this chart: the Developer API's fills it.
    expect(metadata[1]?.description).toBe(SAMPLE.m7x3q9wz?.description);
    expect(metadata[2]).toMatchObject({ chart_type: "funnels", group_by: null });
    // One request per chart, with the PAT form of the token and the definition asked for;
    // the project found by itself, the token seeing only one.
    const api = fake.developerApi;
    const chartRequests = api?.requests.filter((r) => r.path.includes("/charts/")) ?? [];
    expect(chartRequests.map((r) => r.path).sort()).toEqual(
      IDS.map((id) => `/v1/projects/${SAMPLE_PROJECT_ID}/charts/${id}`),
    );
    expect(chartRequests.every((r) => r.query.include_definition === "true")).toBe(true);
    expect(api?.requests.every((r) => r.authorized)).toBe(true);
    expect(api?.requests.filter((r) => r.path === "/v1/projects")).toHaveLength(1);
    for (const id of IDS) expect(timeline(result.messages, `chart_${id}`)[0]).toBe("STARTED");
  });

  it("uses project_id when given, without listing projects", async () => {
    const fake = await sampleFake();
    const result = await run("read", {
      config: tokenConfig(fake, { project_id: ` ${SAMPLE_PROJECT_ID} ` }),
      catalog: ["charts_metadata"],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(fake.developerApi?.requests.some((r) => r.path === "/v1/projects")).toBe(false);
  });

  it("without a token is exactly as before: no request to the Developer API, no new field", async () => {
    const fake = await serve(sampleCharts(), {}, { developerApi: sampleDeveloperApi() });
    const result = await run("read", {
      config: configFor(fake, IDS),
      catalog: ["charts_metadata"],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(fake.developerApi?.requests).toEqual([]);
    for (const record of records(result.messages, "charts_metadata")) {
      expect(Object.keys(record)).toEqual(EXPORT_METADATA_FIELDS);
      expect(record.filters).toBeNull();
    }
  });

  it("a definition of a shape it does not know keeps it whole and gives null filters", async () => {
    const odd = { version: 3, query: { steps: "k2d8s0a1" }, params: ["not", "an", "object"] };
    const fake = await sampleFake(faults("k2d8s0a1", { kind: "definition", definition: odd }));
    const result = await run("read", { config: tokenConfig(fake), catalog: ["charts_metadata"] });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages, "charts_metadata")[0]).toMatchObject({
      chart_type: "event_segmentation",
      filters: null,
      group_by: null,
      definition: odd,
    });
  });

  it("a chart it does not know: its details are null, a WARN names it, the stream completes", async () => {
    const fake = await sampleFake((api) => {
      delete api.charts[SAMPLE_PROJECT_ID]?.m7x3q9wz;
    });
    const result = await run("read", { config: tokenConfig(fake), catalog: ["charts_metadata"] });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages, "charts_metadata")[1]).toMatchObject({
      chart_id: "m7x3q9wz",
      title: "Weekly Signups by Country",
      chart_type: null,
      url: null,
      filters: null,
      definition: null,
    });
    expect(logs(result.messages, "WARN")).toContain(
      `Chart m7x3q9wz is not known to Amplitude's Developer API in project ${SAMPLE_PROJECT_ID} (HTTP 404): its filters, type, link and definition are null. Check that project_id is the project that holds the chart.`,
    );
    expect(timeline(result.messages, "charts_metadata")).toEqual(completed(3));
  });

  it("a 429 shows as RATE_LIMITED on charts_metadata, and retry_after_seconds is waited", async () => {
    const fake = await sampleFake(
      faults("p4n6r2tb", { kind: "status", status: 429, retryAfterSeconds: 30 }),
    );
    const result = await run("read", { config: tokenConfig(fake), catalog: ["charts_metadata"] });
    expect(result.code, result.stderr).toBe(0);
    expect(timeline(result.messages, "charts_metadata")).toEqual([
      "STARTED",
      "RUNNING(RATE_LIMITED)",
      ...completed(3).slice(1),
    ]);
    expect(logs(result.messages, "WARN").join("\n")).toMatch(
      /Developer API, the details of chart p4n6r2tb: attempt 1 failed with HTTP 429: .*; retry 1 of 5 in 30\.0 s \(as the answer asks\)\./,
    );
  });

  it.each<[string, DevFault, string, RegExp]>([
    [
      "a rejected token",
      { kind: "status", status: 401 },
      "config_error",
      /did not accept developer_api_token/,
    ],
    [
      "a token without analytics:read",
      {
        kind: "status",
        status: 403,
        errorCode: "insufficient_scope",
        detail: "Token missing required scopes: analytics:read.",
      },
      "config_error",
      /developer_api_token lacks a scope it needs .*analytics:read/,
    ],
    [
      "a project the token cannot see",
      {
        kind: "status",
        status: 403,
        errorCode: "forbidden",
        detail: "You do not have access to project 123456.",
      },
      "config_error",
      /Check that project_id is the numeric ID/,
    ],
    [
      "retries that run out",
      { kind: "status", status: 503 },
      "transient_error",
      /6 attempts failed, the last with HTTP 503/,
    ],
  ])(
    "%s: charts_metadata alone ends INCOMPLETE; the chart streams are not affected",
    async (_, fault, failureType, says) => {
      const fake = await sampleFake(faults("k2d8s0a1", ...Array.from({ length: 6 }, () => fault)));
      const result = await run("read", { config: tokenConfig(fake), catalog: STREAMS });
      expect(result.code).toBe(1);
      expect(timeline(result.messages, "charts_metadata")).toEqual([
        "STARTED",
        "INCOMPLETE",
        `ERROR(${failureType})`,
      ]);
      expect(records(result.messages, "charts_metadata")).toEqual([]);
      const [error, ...more] = errorTraces(result.messages);
      expect(more).toEqual([]);
      expect(error?.stream_descriptor).toEqual({ name: "charts_metadata" });
      expect(error?.message).toMatch(says);
      for (const id of IDS)
        expect(timeline(result.messages, `chart_${id}`).at(-1)).toBe("COMPLETE");
    },
  );

  it("more than one project and no project_id: a config error naming project_id", async () => {
    const fake = await sampleFake((api) => {
      api.projects.push({ id: "777", name: "Acme iOS" });
    });
    const result = await run("read", { config: tokenConfig(fake), catalog: ["charts_metadata"] });
    expect(result.code).toBe(1);
    expect(errorTraces(result.messages)[0]).toMatchObject({
      failure_type: "config_error",
      message: expect.stringContaining(
        "developer_api_token sees more than one Amplitude project: set project_id",
      ),
    });
  });

  it("project_id without a token: a WARN says the details stay null", async () => {
    const fake = await serve(sampleCharts());
    const result = await run("read", {
      config: configFor(fake, IDS, { project_id: "123456" }),
      catalog: ["charts_metadata"],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(logs(result.messages, "WARN")).toContain(
      "project_id is set but developer_api_token is not: the chart details (filters, type, link) stay null. Add the token, or remove project_id.",
    );
  });
});

describe.concurrent("check with a Developer API token", () => {
  it("checks the token too: SUCCEEDED names the project", async () => {
    const fake = await sampleFake();
    const result = await run("check", { config: tokenConfig(fake) });
    expect(connectionStatus(result.messages)).toEqual({
      status: "SUCCEEDED",
      message: `Amplitude answered for all 3 chart(s): ${IDS.join(", ")}. The Developer API gave the details of every chart (project ${SAMPLE_PROJECT_ID}).`,
    });
  });

  it.each<[string, (api: FakeDeveloperApiOptions) => void, Record<string, unknown>, RegExp]>([
    [
      "a rejected token",
      () => undefined,
      { developer_api_token: "amp_wrong_token" },
      /did not accept developer_api_token/,
    ],
    [
      "a token without analytics:read",
      (api) => void (api.scopes = ["projects:read"]),
      {},
      /developer_api_token lacks a scope/,
    ],
    [
      "a project it cannot see",
      () => undefined,
      { project_id: "999999" },
      /may not read .* in project 999999 .*Check that project_id/,
    ],
  ])("%s: FAILED, naming the setting to fix", async (_, change, extra, says) => {
    const fake = await sampleFake(change);
    const result = await run("check", { config: tokenConfig(fake, extra) });
    expect(result.code, result.stderr).toBe(0);
    const status = connectionStatus(result.messages);
    expect(status.status).toBe("FAILED");
    expect(status.message).toMatch(says);
  });

  it("a chart it does not know: SUCCEEDED, saying its details will be null", async () => {
    const fake = await sampleFake((api) => {
      delete api.charts[SAMPLE_PROJECT_ID]?.p4n6r2tb;
    });
    const result = await run("check", { config: tokenConfig(fake) });
    expect(connectionStatus(result.messages)).toMatchObject({
      status: "SUCCEEDED",
      message: expect.stringContaining(
        "The Developer API does not know chart(s) p4n6r2tb in project 123456",
      ),
    });
  });
});

describe("the sample project", () => {
  it("serves the Developer API beside the charts", () => {
    expect(sampleProject().developerApi?.token).toBe(TOKEN);
  });
});
