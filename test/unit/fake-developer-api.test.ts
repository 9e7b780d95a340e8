import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import {
  FakeDeveloperApi,
  SAMPLE_DEVELOPER_API_TOKEN,
  SAMPLE_PROJECT_ID,
  sampleDeveloperApi,
  type FakeDeveloperApiOptions,
  type FakeDevChart,
  type FakeProject,
} from "../../fake-amplitude/developer-api.js";
import { SAMPLE_CHARTS } from "../../fake-amplitude/sample-charts.js";

const TOKEN = "amp_unitTestToken_9f3K";
const PAT = `Bearer PAT=${TOKEN}`;
const PROJECT_ID = "424242";

const DEFINITION = {
  app: PROJECT_ID,
  type: "eventsSegmentation",
  params: {
    events: [{ event_type: "Page Viewed", filters: [], group_by: [] }],
    segments: [{ conditions: [] }],
  },
};

const CHART: FakeDevChart = {
  name: "Page Views",
  description: "All page views",
  chart_type: "event_segmentation",
  url: "https://app.amplitude.com/analytics/acme/chart/abc123de",
  created_at: "2026-01-02T03:04:05Z",
  updated_at: "2026-02-03T04:05:06Z",
  created_by: "someone@acme.example",
  archived: false,
  definition: DEFINITION,
};

const PROJECTS: FakeProject[] = [
  { id: PROJECT_ID, name: "Acme Web", description: "web" },
  { id: "100001", name: "Acme iOS", updated_at: "2026-03-01T00:00:00Z" },
  { id: "100002", name: "Acme Android" },
];

function options(overrides: Partial<FakeDeveloperApiOptions> = {}): FakeDeveloperApiOptions {
  return {
    token: TOKEN,
    projects: PROJECTS.map((p) => ({ ...p })),
    charts: { [PROJECT_ID]: { abc123de: { ...CHART } } },
    ...overrides,
  };
}

interface Running {
  api: FakeDeveloperApi;
  base: string;
  /** What handle() gave for each request, in order. */
  handled: boolean[];
}

const servers: Server[] = [];

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A plain node:http server that routes to the fake, and answers 418 itself when it declines. */
async function start(overrides: Partial<FakeDeveloperApiOptions> = {}): Promise<Running> {
  const api = new FakeDeveloperApi(options(overrides));
  const handled: boolean[] = [];
  const server = createServer((req, res) => {
    const answered = api.handle(req, res);
    handled.push(answered);
    if (!answered) res.writeHead(418, { "content-type": "text/plain" }).end("not the fake's");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { api, base: `http://127.0.0.1:${port}`, handled };
}

interface Answer {
  status: number;
  contentType: string | null;
  headers: Headers;
  body: Record<string, unknown>;
}

async function get(
  running: Running,
  path: string,
  authorization: string | null = PAT,
  method = "GET",
): Promise<Answer> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (authorization !== null) headers.authorization = authorization;
  const response = await fetch(running.base + path, { method, headers });
  const text = await response.text();
  const contentType = response.headers.get("content-type");
  return {
    status: response.status,
    contentType,
    headers: response.headers,
    body: contentType?.includes("json") ? (JSON.parse(text) as Record<string, unknown>) : { text },
  };
}

const CHART_PATH = `/v1/projects/${PROJECT_ID}/charts/abc123de`;

/** The problem+json shape every error shares, with its code, status and retryable. */
function expectProblem(
  answer: Answer,
  status: number,
  errorCode: string,
  retryable: boolean,
): Record<string, unknown> {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toBe("application/problem+json");
  const problem = answer.body;
  expect(problem).toMatchObject({ status, error_code: errorCode, retryable });
  expect(problem.type).toMatch(/^https:\/\/developer-api\.amplitude\.com\/problems\/[a-z-]+$/);
  expect(typeof problem.title).toBe("string");
  return problem;
}

describe("GET /v1/projects", () => {
  it("lists the projects the token sees, in the Project shape, on one page by default", async () => {
    const running = await start();
    const answer = await get(running, "/v1/projects");
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe("application/json");
    const data = answer.body.data as Record<string, unknown>[];
    expect(data.map((p) => p.id)).toEqual(PROJECTS.map((p) => p.id));
    expect(data[0]).toEqual({
      id: PROJECT_ID,
      object: "project",
      name: "Acme Web",
      description: "web",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(data[1]?.description).toBeNull();
    expect(data[1]?.updated_at).toBe("2026-03-01T00:00:00Z");
    expect(answer.body.pagination).toEqual({ next_cursor: null, has_more: false });
  });

  it("gives at most limit projects, and says when there are more", async () => {
    const running = await start();
    const two = await get(running, "/v1/projects?limit=2");
    expect((two.body.data as { id: string }[]).map((p) => p.id)).toEqual([PROJECT_ID, "100001"]);
    expect(two.body.pagination).toEqual({ next_cursor: expect.any(String), has_more: true });
    const three = await get(running, "/v1/projects?limit=3");
    expect((three.body.data as unknown[]).length).toBe(3);
    expect(three.body.pagination).toEqual({ next_cursor: null, has_more: false });
  });

  it.each(["limit=0", "limit=201", "limit=ten"])(
    "refuses %s with a 400 validation problem naming limit",
    async (query) => {
      const running = await start();
      const problem = expectProblem(
        await get(running, `/v1/projects?${query}`),
        400,
        "validation_error",
        false,
      );
      expect(problem.validation_errors).toEqual([
        { field: "limit", message: expect.any(String), code: expect.any(String) },
      ]);
    },
  );

  it("needs projects:read, not analytics:read", async () => {
    const running = await start({ scopes: ["analytics:read"] });
    const problem = expectProblem(
      await get(running, "/v1/projects"),
      403,
      "insufficient_scope",
      false,
    );
    expect(problem.detail).toContain("projects:read");
    expect(problem.title).toBe("Insufficient scope");
    expect((await get(running, `${CHART_PATH}?include_definition=true`)).status).toBe(200);
  });
});

describe("GET /v1/projects/{project_id}/charts/{chart_id}", () => {
  const withoutDefinition = {
    id: "abc123de",
    object: "chart",
    project_id: PROJECT_ID,
    name: "Page Views",
    description: "All page views",
    chart_type: "event_segmentation",
    created_at: "2026-01-02T03:04:05Z",
    updated_at: "2026-02-03T04:05:06Z",
    created_by: "someone@acme.example",
    url: "https://app.amplitude.com/analytics/acme/chart/abc123de",
    archived: false,
  };

  it("answers {data: Chart}, with the definition only with include_definition=true", async () => {
    const running = await start();
    const withIt = await get(running, `${CHART_PATH}?include_definition=true`);
    expect(withIt.status).toBe(200);
    expect(withIt.contentType).toBe("application/json");
    expect(withIt.body).toEqual({ data: { ...withoutDefinition, definition: DEFINITION } });
    const without = await get(running, `${CHART_PATH}?include_definition=false`);
    expect(without.body).toEqual({ data: withoutDefinition });
    expect((await get(running, CHART_PATH)).body).toEqual({ data: withoutDefinition });
  });

  it("gives null for the optional fields a chart lacks, and archived false", async () => {
    const running = await start({
      charts: {
        [PROJECT_ID]: { bare0001: { name: "Bare", chart_type: "retention", url: "https://x/c" } },
      },
    });
    const answer = await get(
      running,
      `/v1/projects/${PROJECT_ID}/charts/bare0001?include_definition=true`,
    );
    expect(answer.body.data).toEqual({
      id: "bare0001",
      object: "chart",
      project_id: PROJECT_ID,
      name: "Bare",
      description: null,
      chart_type: "retention",
      created_at: null,
      updated_at: null,
      created_by: null,
      url: "https://x/c",
      archived: false,
    });
  });

  it.each([
    [`${CHART_PATH}?include_definition=yes`, "include_definition"],
    ["/v1/projects/acme/charts/abc123de", "project_id"],
  ])("refuses %s with a 400 validation problem naming %s", async (path, field) => {
    const running = await start();
    const problem = expectProblem(await get(running, path), 400, "validation_error", false);
    expect(problem.validation_errors).toEqual([expect.objectContaining({ field })]);
  });

  it("answers 403 forbidden for a project the token cannot see", async () => {
    const running = await start({
      charts: { [PROJECT_ID]: { abc123de: CHART }, "999999": { abc123de: CHART } },
    });
    const problem = expectProblem(
      await get(running, "/v1/projects/999999/charts/abc123de"),
      403,
      "forbidden",
      false,
    );
    expect(problem.type).toBe("https://developer-api.amplitude.com/problems/forbidden");
    expect(problem.detail).toContain("999999");
  });

  it("answers 404 not_found for an unknown chart", async () => {
    const running = await start();
    const problem = expectProblem(
      await get(running, `/v1/projects/${PROJECT_ID}/charts/zzz99999`),
      404,
      "not_found",
      false,
    );
    expect(problem.detail).toContain("zzz99999");
  });

  it("needs analytics:read, not projects:read", async () => {
    const running = await start({ scopes: ["projects:read"] });
    const problem = expectProblem(await get(running, CHART_PATH), 403, "insufficient_scope", false);
    expect(problem.detail).toContain("analytics:read");
    expect(problem.type).toBe("https://developer-api.amplitude.com/problems/forbidden");
    expect((await get(running, "/v1/projects")).status).toBe(200);
  });
});

describe("what it does not serve", () => {
  it.each([
    ["GET", "/v1/context"],
    ["GET", "/v1/projects?cursor=2"],
    ["GET", "/v1/projects?sort=name&q=acme"],
    ["GET", `${CHART_PATH}?include_definition=true&fields=name`],
    ["GET", "/v1/projects/123/dashboards"],
    ["POST", CHART_PATH],
  ])(
    "declines %s %s with a plain-text 501 of its own, not an answer of the API's",
    async (method, path) => {
      const running = await start();
      const answer = await get(running, path, PAT, method);
      expect(answer.status).toBe(501);
      expect(answer.contentType).toBe("text/plain");
      expect(answer.body.text).toMatch(/^The fake Developer API does not serve /);
      expect(running.handled).toEqual([true]);
    },
  );
});

describe("authentication", () => {
  it.each([
    ["no Authorization header", null],
    ["a bare Bearer token (no PAT=)", `Bearer ${TOKEN}`],
    ["another token", "Bearer PAT=amp_someoneElse_0000"],
    ["the token with a lower-case pat=", `Bearer pat=${TOKEN}`],
    ["the project key pair (Basic)", `Basic ${Buffer.from("key:secret").toString("base64")}`],
    ["the token alone", TOKEN],
  ])("answers 401 invalid_token to %s", async (_label, authorization) => {
    const running = await start();
    for (const path of ["/v1/projects", CHART_PATH, "/v1/nowhere"]) {
      const answer = await get(running, path, authorization);
      const problem = expectProblem(answer, 401, "invalid_token", false);
      expect(problem.detail).toEqual(expect.any(String));
      expect(JSON.stringify(problem)).not.toContain(TOKEN);
    }
    expect(running.api.requests.map((r) => r.authorized)).toEqual([false, false, false]);
  });

  it("accepts exactly Bearer PAT=<token> and records the request", async () => {
    const running = await start();
    expect((await get(running, `${CHART_PATH}?include_definition=true`)).status).toBe(200);
    expect(running.api.requests).toEqual([
      { path: CHART_PATH, query: { include_definition: "true" }, authorized: true },
    ]);
  });
});

describe("faults per chart", () => {
  it("answers status faults in order, then normally", async () => {
    const running = await start({
      faults: {
        abc123de: [
          { kind: "status", status: 429, retryAfterSeconds: 7 },
          { kind: "status", status: 503 },
          { kind: "status", status: 401 },
          { kind: "status", status: 403, errorCode: "insufficient_scope", detail: "no scope" },
          { kind: "status", status: 403, errorCode: "forbidden", detail: "not yours" },
        ],
      },
    });
    const rateLimited = await get(running, CHART_PATH);
    const limited = expectProblem(rateLimited, 429, "rate_limit_exceeded", true);
    expect(limited).toEqual({
      type: "https://developer-api.amplitude.com/problems/rate-limit-exceeded",
      title: "Rate limit exceeded",
      status: 429,
      error_code: "rate_limit_exceeded",
      retryable: true,
      retry_after_seconds: 7,
    });
    // The OpenAPI declares no Retry-After header: the body is the only hint.
    expect(rateLimited.headers.get("retry-after")).toBeNull();

    const unavailable = expectProblem(
      await get(running, CHART_PATH),
      503,
      "operation_availability_unavailable",
      true,
    );
    expect(unavailable).not.toHaveProperty("retry_after_seconds");
    expectProblem(await get(running, CHART_PATH), 401, "invalid_token", false);
    const scope = expectProblem(await get(running, CHART_PATH), 403, "insufficient_scope", false);
    expect(scope.detail).toBe("no scope");
    const forbidden = expectProblem(await get(running, CHART_PATH), 403, "forbidden", false);
    expect(forbidden.detail).toBe("not yours");
    expect((await get(running, CHART_PATH)).status).toBe(200);
  });

  it("keeps each chart's faults to that chart", async () => {
    const running = await start({
      charts: { [PROJECT_ID]: { abc123de: CHART, other001: CHART } },
      faults: { other001: [{ kind: "status", status: 503 }] },
    });
    expect((await get(running, CHART_PATH)).status).toBe(200);
    const other = `/v1/projects/${PROJECT_ID}/charts/other001`;
    expectProblem(await get(running, other), 503, "operation_availability_unavailable", true);
    expect((await get(running, other)).status).toBe(200);
  });

  it("answers an odd definition as given, once", async () => {
    const odd = { app: PROJECT_ID, params: { events: "not a list", segments: [1, null] } };
    const running = await start({
      faults: {
        abc123de: [
          { kind: "definition", definition: odd },
          { kind: "definition", definition: ["x"] },
        ],
      },
    });
    const path = `${CHART_PATH}?include_definition=true`;
    const definition = async (): Promise<unknown> =>
      ((await get(running, path)).body.data as Record<string, unknown>).definition;
    expect(await definition()).toEqual(odd);
    expect(await definition()).toEqual(["x"]);
    expect(await definition()).toEqual(DEFINITION);
  });

  it("does not spend a fault on a request it refuses before the chart", async () => {
    const running = await start({ faults: { abc123de: [{ kind: "status", status: 503 }] } });
    expect((await get(running, CHART_PATH, null)).status).toBe(401);
    expect((await get(running, "/v1/projects/999999/charts/abc123de")).status).toBe(403);
    expectProblem(await get(running, CHART_PATH), 503, "operation_availability_unavailable", true);
  });
});

describe("routing", () => {
  it.each(["/", "/api/3/chart/abc123de/csv", "/v1", "/v2/context", "/v1x/context"])(
    "declines %s (handle gives false)",
    async (path) => {
      const running = await start();
      const answer = await get(running, path);
      expect(answer.status).toBe(418);
      expect(running.handled).toEqual([false]);
      expect(running.api.requests).toEqual([]);
    },
  );
});

describe("the sample project", () => {
  it("covers the three sample charts with their names, types and links", () => {
    const sample = sampleDeveloperApi();
    expect(sample.token).toBe(SAMPLE_DEVELOPER_API_TOKEN);
    expect(SAMPLE_DEVELOPER_API_TOKEN).toMatch(/^amp_/);
    expect(sample.projects.map((p) => [p.id, p.name])).toEqual([[SAMPLE_PROJECT_ID, "Acme Web"]]);
    const charts = sample.charts[SAMPLE_PROJECT_ID] ?? {};
    expect(Object.keys(charts)).toEqual(SAMPLE_CHARTS.map((c) => c.id));
    for (const c of SAMPLE_CHARTS) {
      expect(charts[c.id]?.name).toBe(c.chart.title);
      expect(charts[c.id]?.url).toBe(`https://app.amplitude.com/analytics/acme/chart/${c.id}`);
      expect(charts[c.id]?.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(Object.values(charts).map((c) => c.chart_type)).toEqual([
      "event_segmentation",
      "event_segmentation",
      "funnels",
    ]);
  });

  it("has definitions with filters, group-bys and segment conditions", () => {
    const charts = sampleDeveloperApi().charts[SAMPLE_PROJECT_ID] ?? {};
    expect(charts.k2d8s0a1?.definition).toMatchObject({
      app: SAMPLE_PROJECT_ID,
      type: "eventsSegmentation",
      params: {
        events: [
          {
            filters: [
              {
                subprop_key: "country",
                subprop_op: "is",
                subprop_value: ["United States", "Germany", "Canada"],
              },
            ],
          },
        ],
        segments: [
          { name: "All Users", conditions: [] },
          { name: "New Users", conditions: [{ type: "property", op: "is" }] },
        ],
        interval: 1,
      },
    });
    expect(charts.m7x3q9wz?.definition).toMatchObject({
      params: {
        events: [
          {
            event_type: "Sign Up Completed",
            filters: [{ subprop_key: "platform", subprop_value: ["Web"] }],
            group_by: [{ type: "user", value: "country", group_type: "User" }],
          },
        ],
        interval: 7,
      },
    });
    expect(charts.p4n6r2tb?.definition).toMatchObject({
      type: "funnels",
      params: {
        events: [
          { event_type: "Account Created" },
          { event_type: "Onboarding Checklist Viewed" },
          { event_type: "First Project Created" },
        ],
      },
    });
  });

  it("is the same on every call", () => {
    expect(JSON.stringify(sampleDeveloperApi())).toBe(JSON.stringify(sampleDeveloperApi()));
  });

  it("serves the sample charts with the sample token", async () => {
    const api = new FakeDeveloperApi(sampleDeveloperApi());
    const server = createServer((req, res) => api.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const headers = { authorization: `Bearer PAT=${SAMPLE_DEVELOPER_API_TOKEN}` };
    const projects = (await (await fetch(`${base}/v1/projects`, { headers })).json()) as {
      data: { id: string }[];
    };
    expect(projects.data.map((p) => p.id)).toEqual([SAMPLE_PROJECT_ID]);
    const response = await fetch(
      `${base}/v1/projects/${SAMPLE_PROJECT_ID}/charts/m7x3q9wz?include_definition=true`,
      { headers },
    );
    expect(response.status).toBe(200);
    const chart = (await response.json()) as { data: Record<string, unknown> };
    expect(chart.data).toMatchObject({
      id: "m7x3q9wz",
      project_id: SAMPLE_PROJECT_ID,
      name: "Weekly Signups by Country",
      chart_type: "event_segmentation",
      definition: { type: "eventsSegmentation" },
    });
  });
});
