import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * A stand-in for Amplitude's Developer API (Early Access, `v1`), serving what the connector
 * asks of it and nothing more: `GET /v1/projects?limit=N` and
 * `GET /v1/projects/{project_id}/charts/{chart_id}?include_definition=true`, with a personal
 * access token, the operations' scopes, RFC 9457 problem+json errors and, on request,
 * faults per chart. Shapes follow Amplitude's published OpenAPI contract
 * (amplitude/developer-cli, openapi/bundled/openapi.bundled.yaml, info.version 0.1.0; the
 * design notes sum it up). What it does not serve (`/v1/context`, other operations and
 * methods, `cursor`, `sort`, `q`) it declines with a plain-text 501 that says so, rather
 * than answer unlike the real API. Where the contract is silent, the choice is written
 * beside the code that makes it.
 */

/** Any JSON value: what a chart definition (read-only, "shape unstable") may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** The scopes a token gets unless the options say otherwise: all this fake serves. */
export const DEFAULT_SCOPES: readonly string[] = ["analytics:read", "projects:read"];

/** A project the token can see (OpenAPI `Project`, less `object`, which is fixed). */
export interface FakeProject {
  /** The project's numeric app ID, as digits. */
  id: string;
  name: string;
  description?: string | null;
  /** ISO 8601; required by the contract, so a fixed default stands in when absent. */
  created_at?: string;
  updated_at?: string;
}

/** A saved chart (OpenAPI `Chart`); its ID and project come from where it is filed. */
export interface FakeDevChart {
  name: string;
  description?: string | null;
  /** An open string: `event_segmentation`, `funnels`, ... or a value not yet known. */
  chart_type: string;
  url: string;
  created_at?: string | null;
  updated_at?: string | null;
  created_by?: string | null;
  archived?: boolean;
  /** Sent only with `include_definition=true`; absent here means absent there too. */
  definition?: JsonObject;
}

/** Answers with a problem+json error of this status (and, by default, its usual code). */
export interface DevStatusFault {
  kind: "status";
  status: number;
  /** Defaults by status: 401 invalid_token, 403 forbidden, 429 rate_limit_exceeded, ... */
  errorCode?: string;
  detail?: string;
  /** Goes into the body's `retry_after_seconds`; omitted when absent. */
  retryAfterSeconds?: number;
}

/**
 * Answers 200 with this as the chart's definition, whatever its shape (sent only with
 * `include_definition=true`, as a definition always is; the fault is used up either way).
 */
export interface DevDefinitionFault {
  kind: "definition";
  definition: JsonValue;
}

export type DevFault = DevStatusFault | DevDefinitionFault;

export interface FakeDeveloperApiOptions {
  /** The personal access token (`amp_...`) the fake accepts, as `Bearer PAT=<token>`. */
  token: string;
  /** The token's scopes; default `DEFAULT_SCOPES`. */
  scopes?: string[];
  /** Projects the token can see; any other project ID is answered 403 `forbidden`. */
  projects: FakeProject[];
  /** Charts per project ID, per chart ID. */
  charts: Record<string, Record<string, FakeDevChart>>;
  /** Faults per chart ID (whatever the project), used one per request, in order. */
  faults?: Record<string, DevFault[]>;
}

export interface DevRequest {
  /** The path without its query, e.g. `/v1/projects/123456/charts/k2d8s0a1`. */
  path: string;
  /** The query parameters as sent (the last one wins when a name repeats). */
  query: Record<string, string>;
  /** Whether the Authorization header carried the token in the accepted form. */
  authorized: boolean;
}

const PROBLEM_BASE = "https://developer-api.amplitude.com/problems/";

/**
 * error_code -> status and title (the `type` URI ends with the code, hyphenated, unless a
 * slug is given); the first code of a status is the one a status fault gets unless it
 * names another. The titles and types of insufficient_scope, forbidden,
 * rate_limit_exceeded and operation_availability_unavailable are the OpenAPI's own examples
 * (insufficient_scope's type is `/problems/forbidden` there); the others follow the same
 * pattern and are guesses. A code not listed gets the pattern and the title `HTTP <status>`.
 */
const PROBLEMS: Record<string, { status: number; title: string; slug?: string }> = {
  validation_error: { status: 400, title: "Validation failed" },
  invalid_token: { status: 401, title: "Invalid token" },
  forbidden: { status: 403, title: "Forbidden" },
  insufficient_scope: { status: 403, title: "Insufficient scope", slug: "forbidden" },
  not_found: { status: 404, title: "Not found" },
  rate_limit_exceeded: { status: 429, title: "Rate limit exceeded" },
  operation_availability_unavailable: { status: 503, title: "Operation availability unavailable" },
};

type Route = { name: "projects" } | { name: "chart"; projectId: string; chartId: string };

/** Each operation's `x-required-scopes` in the OpenAPI, and the query parameters served. */
const OPERATIONS: Record<Route["name"], { scope: string; params: string[] }> = {
  projects: { scope: "projects:read", params: ["limit"] },
  chart: { scope: "analytics:read", params: ["include_definition"] },
};

/** The contract requires created_at/updated_at on a Project; a fixed stand-in keeps it so. */
const DEFAULT_PROJECT_TIME = "2024-01-01T00:00:00Z";

export class FakeDeveloperApi {
  readonly requests: DevRequest[] = [];
  private readonly scopes: readonly string[];

  constructor(private readonly options: FakeDeveloperApiOptions) {
    this.scopes = options.scopes ?? DEFAULT_SCOPES;
  }

  /** Answers a `/v1/...` request and gives true; gives false (untouched) for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? "/", "http://fake.invalid");
    if (!url.pathname.startsWith("/v1/")) return false;
    const authProblem = this.authProblem(req.headers.authorization);
    this.requests.push({
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorized: authProblem === undefined,
    });

    // Authentication comes first, as in any bearer-protected API: an unknown path
    // with a bad token is a 401 too.
    if (authProblem !== undefined) {
      sendProblem(res, 401, "invalid_token", { detail: authProblem });
      return true;
    }
    // Not the real API's answer, whatever that would be: the fake's own, in plain text.
    const route = req.method === "GET" ? routeOf(url.pathname) : undefined;
    const params = route ? OPERATIONS[route.name].params : [];
    const unserved = [...url.searchParams.keys()].filter((p) => !params.includes(p));
    if (!route || unserved.length > 0) {
      const what = route
        ? `the parameter(s) ${unserved.join(", ")}`
        : `${req.method ?? "?"} ${url.pathname}`;
      res
        .writeHead(501, { "content-type": "text/plain" })
        .end(`The fake Developer API does not serve ${what}: only what the connector asks.`);
      return true;
    }
    const { scope } = OPERATIONS[route.name];
    if (!this.scopes.includes(scope)) {
      sendProblem(res, 403, "insufficient_scope", {
        detail: `Token missing required scopes: ${scope}.`,
      });
      return true;
    }
    if (route.name === "projects") this.projects(res, url.searchParams);
    else this.chart(res, route.projectId, route.chartId, url.searchParams);
    return true;
  }

  /**
   * The accepted form is exactly `Bearer PAT=<token>`, as Amplitude's CLI sends a
   * personal access token. The Developer API's handling of a bare `Bearer <token>` is
   * not documented; the CLI sends a bare bearer only for OAuth access tokens (JWTs), so
   * the server presumably reads it as one and rejects it: the fake answers 401
   * invalid_token, which keeps the connector honest about the PAT= form. Gives the
   * problem's detail, or undefined when the header is good. Never echoes the token.
   */
  private authProblem(header: string | undefined): string | undefined {
    if (header === undefined || header.trim() === "") {
      return "Missing bearer token: send Authorization: Bearer PAT=<personal access token>.";
    }
    if (header === `Bearer PAT=${this.options.token}`) return undefined;
    if (header === `Bearer ${this.options.token}`) {
      return "Not a valid access token: a personal access token is sent as Authorization: Bearer PAT=<token>.";
    }
    return "The access token is invalid, expired or revoked.";
  }

  /** The first page of projects, `limit` (1 to 200, default 50) long, in configured order. */
  private projects(res: ServerResponse, query: URLSearchParams): void {
    const raw = query.get("limit");
    const limit = raw === null || raw === "" ? 50 : /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
    if (!(limit >= 1 && limit <= 200)) {
      answerInvalid(res, [
        { field: "limit", message: "must be an integer, 1 to 200", code: "invalid_value" },
      ]);
      return;
    }
    const { projects } = this.options;
    const hasMore = projects.length > limit;
    sendJson(res, 200, {
      data: projects.slice(0, limit).map(projectObject),
      // The cursor is opaque to clients; here, as the OpenAPI says of the chart list, it
      // would be a numeric offset (the fake gives it but does not take it back).
      pagination: { next_cursor: hasMore ? String(limit) : null, has_more: hasMore },
    });
  }

  private chart(
    res: ServerResponse,
    projectId: string,
    chartId: string,
    query: URLSearchParams,
  ): void {
    const errors: ValidationError[] = [];
    if (!/^[0-9]+$/.test(projectId)) {
      errors.push({ field: "project_id", message: "must match ^[0-9]+$", code: "pattern" });
    }
    const includeParam = query.get("include_definition");
    if (includeParam !== null && includeParam !== "true" && includeParam !== "false") {
      errors.push({ field: "include_definition", message: "must be a boolean", code: "type" });
    }
    if (errors.length > 0) {
      answerInvalid(res, errors);
      return;
    }
    // A project the token cannot see: the OpenAPI declares both 403 and 404 on this
    // operation, but on the project-scoped list (listCharts) only 403, and describes
    // `forbidden` as "the caller lacks access to the project"; so 403 forbidden, the same
    // for a project that does not exist (which also does not reveal which IDs exist).
    if (!this.options.projects.some((p) => p.id === projectId)) {
      sendProblem(res, 403, "forbidden", {
        detail: `You do not have access to project ${projectId}.`,
      });
      return;
    }

    const fault = this.options.faults?.[chartId]?.shift();
    if (fault?.kind === "status") {
      sendProblem(res, fault.status, fault.errorCode ?? codeFor(fault.status), {
        ...(fault.detail !== undefined && { detail: fault.detail }),
        ...(fault.retryAfterSeconds !== undefined && {
          retry_after_seconds: fault.retryAfterSeconds,
        }),
      });
      return;
    }
    const chart = this.options.charts[projectId]?.[chartId];
    if (!chart) {
      sendProblem(res, 404, "not_found", {
        detail: `Chart ${chartId} not found in project ${projectId}.`,
      });
      return;
    }
    const data: Record<string, JsonValue> = {
      id: chartId,
      object: "chart",
      project_id: projectId,
      name: chart.name,
      description: chart.description ?? null,
      chart_type: chart.chart_type,
      created_at: chart.created_at ?? null,
      updated_at: chart.updated_at ?? null,
      created_by: chart.created_by ?? null,
      url: chart.url,
      archived: chart.archived ?? false,
    };
    if (includeParam === "true") {
      const definition = fault?.kind === "definition" ? fault.definition : chart.definition;
      if (definition !== undefined) data.definition = definition;
    }
    sendJson(res, 200, { data });
  }
}

function routeOf(pathname: string): Route | undefined {
  if (pathname === "/v1/projects") return { name: "projects" };
  const chart = /^\/v1\/projects\/([^/]+)\/charts\/([^/]+)$/.exec(pathname);
  if (!chart) return undefined;
  try {
    return {
      name: "chart",
      projectId: decodeURIComponent(chart[1] ?? ""),
      chartId: decodeURIComponent(chart[2] ?? ""),
    };
  } catch {
    return undefined; // a malformed %-escape names no operation
  }
}

/** The first code listed for the status, or `error` for a status none has. */
const codeFor = (status: number): string =>
  Object.keys(PROBLEMS).find((code) => PROBLEMS[code]?.status === status) ?? "error";

/** One invalid parameter, as a 400's `validation_errors` lists it. */
type ValidationError = { field: string; message: string; code: string };

/** Answers 400 validation_error, listing each invalid parameter. */
function answerInvalid(res: ServerResponse, errors: ValidationError[]): void {
  sendProblem(res, 400, "validation_error", {
    detail: errors.map((e) => `${e.field}: ${e.message}`).join("; "),
    validation_errors: errors,
  });
}

/**
 * An RFC 9457 problem as the OpenAPI's `ProblemDetails`, with the optional members given
 * (`detail`, `retry_after_seconds`, `validation_errors`; a fault without a detail sends
 * none). No `Retry-After` header, even on 429: the OpenAPI declares none, so
 * `retry_after_seconds` in the body is the only hint. `retryable` is true for 429 and 5xx
 * (the OpenAPI does not say for every 5xx).
 */
function sendProblem(
  res: ServerResponse,
  status: number,
  code: string,
  optional: JsonObject = {},
): void {
  const known = PROBLEMS[code];
  const body: JsonObject = {
    type: PROBLEM_BASE + (known?.slug ?? code.replace(/_/g, "-")),
    title: known?.title ?? `HTTP ${status}`,
    status,
    error_code: code,
    retryable: status === 429 || status >= 500,
    ...optional,
  };
  res.writeHead(status, { "content-type": "application/problem+json" }).end(JSON.stringify(body));
}

function sendJson(res: ServerResponse, status: number, body: JsonValue): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function projectObject(project: FakeProject): JsonObject {
  return {
    id: project.id,
    object: "project",
    name: project.name,
    description: project.description ?? null,
    created_at: project.created_at ?? DEFAULT_PROJECT_TIME,
    updated_at: project.updated_at ?? DEFAULT_PROJECT_TIME,
  };
}

// ---------------------------------------------------------------------------------------
// The sample project's Developer API side, for `npm run demo` and tests.

/** The demo's personal access token (fake; only this fake accepts it). */
export const SAMPLE_DEVELOPER_API_TOKEN = "amp_sample_token_0000";
/** The sample project's numeric app ID, as the config's `project_id` would give it. */
export const SAMPLE_PROJECT_ID = "123456";

const SAMPLE_CHART_URL = "https://app.amplitude.com/analytics/acme/chart/";

/** A filter on an event (definition `params.events[].filters[]`). */
const isOneOf = (subpropType: "event" | "user", key: string, values: string[]): JsonObject => ({
  group_type: "User",
  subprop_key: key,
  subprop_op: "is",
  subprop_type: subpropType,
  subprop_value: values,
});

/** A property condition of a segment (definition `params.segments[].conditions[]`). */
const userPropertyIs = (prop: string, values: string[]): JsonObject => ({
  type: "property",
  group_type: "User",
  prop_type: "user",
  prop,
  op: "is",
  values,
});

/**
 * The Developer API's view of the three sample charts of sample-charts.ts: the same IDs
 * and names, chart types and links, and definitions in the shape the design notes infer
 * (docs/amplitude-developer-api.md: `{app, type, params: {events, segments, ...}}`),
 * consistent with each export (its events, segments, interval and group-by). Fixed
 * timestamps: the same on every run.
 */
export function sampleDeveloperApi(): FakeDeveloperApiOptions {
  const charts: Record<string, FakeDevChart> = {
    k2d8s0a1: {
      name: "Daily Active Users",
      description: "Users who fired any active event, per day (project time zone)",
      chart_type: "event_segmentation",
      url: `${SAMPLE_CHART_URL}k2d8s0a1`,
      created_at: "2026-03-02T10:12:44Z",
      updated_at: "2026-11-23T08:30:00Z",
      created_by: "dana.kim@acme.example",
      archived: false,
      definition: {
        app: SAMPLE_PROJECT_ID,
        type: "eventsSegmentation",
        params: {
          events: [
            {
              event_type: "_active",
              filters: [isOneOf("user", "country", ["United States", "Germany", "Canada"])],
              group_by: [],
            },
          ],
          segments: [
            { name: "All Users", conditions: [] },
            { name: "New Users", conditions: [userPropertyIs("gp:lifecycle_stage", ["new"])] },
          ],
          range: "Last 14 Days",
          metric: "uniques",
          countGroup: "User",
          interval: 1,
        },
      },
    },
    m7x3q9wz: {
      name: "Weekly Signups by Country",
      // The export has no description: this one shows the API's filling it in.
      description: "Completed sign-ups per week by country, against the previous period",
      chart_type: "event_segmentation",
      url: `${SAMPLE_CHART_URL}m7x3q9wz`,
      created_at: "2026-05-18T14:03:09Z",
      updated_at: "2026-11-17T16:45:12Z",
      created_by: "li.wei@acme.example",
      archived: false,
      definition: {
        app: SAMPLE_PROJECT_ID,
        type: "eventsSegmentation",
        params: {
          events: [
            {
              event_type: "Sign Up Completed",
              filters: [isOneOf("event", "platform", ["Web"])],
              group_by: [{ type: "user", value: "country", group_type: "User" }],
            },
          ],
          segments: [{ name: "All Users", conditions: [] }],
          range: "Last 4 Weeks",
          metric: "totals",
          countGroup: "User",
          interval: 7,
          compareTo: "previousPeriod",
        },
      },
    },
    p4n6r2tb: {
      name: "Onboarding Funnel",
      description: "Account created to first project within 7 days",
      chart_type: "funnels",
      url: `${SAMPLE_CHART_URL}p4n6r2tb`,
      created_at: "2026-07-07T09:00:00Z",
      updated_at: "2026-11-20T11:20:05Z",
      created_by: "dana.kim@acme.example",
      archived: false,
      definition: {
        app: SAMPLE_PROJECT_ID,
        type: "funnels",
        params: {
          events: [
            {
              event_type: "Account Created",
              filters: [isOneOf("event", "platform", ["Web"])],
              group_by: [],
            },
            { event_type: "Onboarding Checklist Viewed", filters: [], group_by: [] },
            { event_type: "First Project Created", filters: [], group_by: [] },
          ],
          segments: [
            { name: "All Users", conditions: [] },
            { name: "Organic Signups", conditions: [userPropertyIs("gp:utm_medium", ["organic"])] },
            {
              name: "Paid Campaign Signups",
              conditions: [userPropertyIs("gp:utm_medium", ["cpc", "paid_social"])],
            },
          ],
          range: "Last 30 Days",
          metric: "CONVERSION",
          countGroup: "User",
          interval: 1,
          conversionSeconds: 604800,
          order: "this_order",
        },
      },
    },
  };
  return {
    token: SAMPLE_DEVELOPER_API_TOKEN,
    scopes: [...DEFAULT_SCOPES],
    projects: [
      {
        id: SAMPLE_PROJECT_ID,
        name: "Acme Web",
        description: "Acme's web app (production)",
        created_at: "2025-09-01T12:00:00Z",
        updated_at: "2026-11-02T07:41:30Z",
      },
    ],
    charts: { [SAMPLE_PROJECT_ID]: charts },
  };
}
