import type { ErrorObject } from "ajv";
import { configError } from "../errors.js";
import { loadSpec } from "../spec.js";
import { chartIdFrom } from "./chart-id.js";
import { validate } from "./config-validator.js";

export const REGION_HOSTS = {
  "Standard Server": "https://amplitude.com",
  "EU Residency Server": "https://analytics.eu.amplitude.com",
} as const;
export type DataRegion = keyof typeof REGION_HOSTS;

/** The Developer API's hosts, by the same data region. */
export const DEVELOPER_API_HOSTS: Record<DataRegion, string> = {
  "Standard Server": "https://developer-api.amplitude.com",
  "EU Residency Server": "https://developer-api.eu.amplitude.com",
};

/** The config after validation: defaults applied, chart IDs extracted and deduplicated. */
export interface ConnectorConfig {
  chartIds: string[];
  dashboard: DashboardSettings;
  /** The metadata enrichment, when developer_api_token is set. */
  developerApi: DeveloperApiSettings | undefined;
  maxConcurrentRequests: number;
  requestTimeoutMs: number;
  /** Incremental reads re-read the periods this many days before the saved cursor. */
  lookbackDays: number;
}

/** What the Dashboard REST API client needs: the keys, the host, and how the host was chosen. */
export interface DashboardSettings {
  apiKey: string;
  secretKey: string;
  dataRegion: DataRegion;
  /** Scheme, host and optional path prefix, without a trailing slash. */
  baseUrl: string;
  /** Whether base_url was given (rather than taken from data_region). */
  baseUrlGiven: boolean;
}

export interface DeveloperApiSettings {
  token: string;
  /** Scheme, host and optional path prefix, without a trailing slash. */
  baseUrl: string;
  projectId: string | undefined;
}

/** The raw config as the spec describes it (after ajv has applied the defaults). */
interface RawConfig {
  api_key: string;
  secret_key: string;
  chart_ids: string[];
  data_region: DataRegion;
  base_url?: string;
  max_concurrent_requests: number;
  request_timeout_seconds: number;
  lookback_days: number;
  developer_api_token?: string;
  project_id?: string;
  developer_api_base_url?: string;
}

/** The options whose surrounding whitespace is removed (Amplitude's keys contain none). */
const TRIMMED = ["api_key", "secret_key", "developer_api_token", "project_id"];

/**
 * The longest wait a Node timer holds (about 24.8 days); a longer one fires at once, so a
 * huge request_timeout_seconds (meant as "no limit") would time out every attempt.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Validates a parsed config file against spec.json and normalises it; throws a config error. */
export function parseConfig(raw: unknown): ConnectorConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw configError("The config must be a JSON object with api_key, secret_key and chart_ids.");
  }
  const copy = structuredClone(raw) as Record<string, unknown>;
  // "The numeric ID" invites a number: it is the same ID.
  if (typeof copy.project_id === "number" && Number.isSafeInteger(copy.project_id)) {
    copy.project_id = String(copy.project_id);
  }
  // Keys never hold whitespace; a pasted one often carries a space or a line break.
  for (const name of TRIMMED) {
    const value = copy[name];
    if (typeof value === "string") copy[name] = value.trim();
  }
  // spec.json compiled at build time (scripts/config-validator.ts); it applies the defaults.
  if (!validate(copy))
    throw configError(`Invalid config: ${describeErrors(validate.errors ?? [])}.`);
  const config = copy as unknown as RawConfig;

  return {
    chartIds: chartIdsOf(config.chart_ids),
    dashboard: {
      apiKey: config.api_key,
      secretKey: config.secret_key,
      dataRegion: config.data_region,
      baseUrl: baseUrlOf(config.base_url, "base_url", REGION_HOSTS[config.data_region]),
      baseUrlGiven: config.base_url !== undefined && config.base_url.trim() !== "",
    },
    developerApi: developerApiOf(config),
    maxConcurrentRequests: config.max_concurrent_requests,
    requestTimeoutMs: Math.min(config.request_timeout_seconds * 1000, MAX_TIMER_MS),
    lookbackDays: config.lookback_days,
  };
}

/**
 * The chart IDs of the entries, in order, each once. Airbyte's form splits the box on
 * commas only, so a list pasted one per line (or with spaces, or semicolons) arrives as one
 * entry: each ID or URL in it counts.
 */
function chartIdsOf(entries: string[]): string[] {
  const ids: string[] = [];
  entries.forEach((entry, index) => {
    for (const piece of entry.split(/[\s,;]+/).filter((p) => p !== "")) {
      const id = chartIdFrom(piece);
      if (id === undefined) {
        const within = piece === entry.trim() ? "" : ` holds "${piece.slice(0, 200)}", which`;
        throw configError(
          `Invalid config: chart_ids[${index}] ("${entry.slice(0, 200)}")${within} holds no chart ID. ` +
            "Give the ID (e.g. abc123de) or the chart's URL (https://app.amplitude.com/analytics/ORG/chart/abc123de); " +
            "several may share an entry, separated by commas, spaces or line breaks.",
        );
      }
      if (!ids.includes(id)) ids.push(id);
    }
  });
  return ids;
}

function developerApiOf(config: RawConfig): DeveloperApiSettings | undefined {
  const token = config.developer_api_token;
  if (token === undefined || token === "") return undefined;
  return {
    token,
    baseUrl: baseUrlOf(
      config.developer_api_base_url,
      "developer_api_base_url",
      DEVELOPER_API_HOSTS[config.data_region],
    ),
    projectId: config.project_id === "" ? undefined : config.project_id,
  };
}

/** A base URL option (base_url, developer_api_base_url), or the region's host when unset. */
function baseUrlOf(baseUrl: string | undefined, option: string, regionHost: string): string {
  if (baseUrl === undefined || baseUrl.trim() === "") return regionHost;
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw configError(
      `Invalid config: ${option} ("${baseUrl}") is not a URL; use e.g. ${regionHost}.`,
    );
  }
  const loopback = isLoopback(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw configError(
      `Invalid config: ${option} ("${url.origin}") must use https:// (http:// is allowed only for 127.0.0.1, localhost or [::1]).`,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}

/**
 * Every secret a raw config holds, for the secret filter: the values of the spec's
 * `airbyte_secret` fields, and the Basic credentials the keys make. Taken before the
 * config is validated, so that no error about it can show them.
 */
export function configSecrets(raw: unknown): string[] {
  if (typeof raw !== "object" || raw === null) return [];
  const config = raw as Record<string, unknown>;
  const properties = loadSpec().connectionSpecification.properties as Record<
    string,
    { airbyte_secret?: boolean }
  >;
  const values = Object.entries(properties)
    .filter(([, property]) => property.airbyte_secret === true)
    .map(([name]) => config[name])
    .filter((value): value is string => typeof value === "string")
    .flatMap((value) => [value, value.trim()]);
  const { api_key: user, secret_key: password } = config;
  if (typeof user === "string" && typeof password === "string") {
    values.push(Buffer.from(`${user.trim()}:${password.trim()}`).toString("base64"));
  }
  return [...new Set(values)];
}

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** ajv's errors as one line that names each offending field. */
function describeErrors(errors: ErrorObject[]): string {
  const problems = new Set(errors.map((error) => `${fieldOf(error)} ${problemOf(error)}`));
  return [...problems].join("; ");
}

function fieldOf(error: ErrorObject): string {
  if (error.keyword !== "required") return fieldName(error.instancePath);
  const missing = (error.params as { missingProperty: string }).missingProperty;
  return joinPath(error.instancePath, missing);
}

/** What is wrong, in words a user reads (ajv's own say "must NOT have fewer than 1 items"). */
function problemOf(error: ErrorObject): string {
  switch (error.keyword) {
    case "required":
      return "is required";
    case "minItems":
      return "must list at least one chart ID or chart URL";
    case "minLength":
      return "must not be empty";
    case "type":
    case "pattern":
      return VALUE_PROBLEMS[error.instancePath] ?? error.message ?? "is invalid";
    case "minimum":
    case "maximum":
      return rangeOf(error.instancePath) ?? error.message ?? "is invalid";
    case "enum": {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      return `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    default:
      return error.message ?? "is invalid";
  }
}

/** What a value of the wrong type or pattern must be, in words, where ajv's are not enough. */
const VALUE_PROBLEMS: Record<string, string> = {
  "/project_id": "must be the project's numeric ID, digits only (e.g. 123456)",
};

/** The spec's description of a top-level option. */
function propertyOf(instancePath: string): {
  minimum?: number;
  maximum?: number;
} {
  const properties = loadSpec().connectionSpecification.properties as Record<string, object>;
  return properties[instancePath.slice(1)] ?? {};
}

/** "must be between 1 and 5", from the spec's own bounds; undefined if it gives none. */
function rangeOf(instancePath: string): string | undefined {
  const { minimum, maximum } = propertyOf(instancePath);
  if (minimum !== undefined && maximum !== undefined)
    return `must be between ${minimum} and ${maximum}`;
  if (minimum !== undefined) return `must be at least ${minimum}`;
  return maximum === undefined ? undefined : `must be at most ${maximum}`;
}

function joinPath(instancePath: string, property: string): string {
  const parent = fieldName(instancePath);
  return parent === "config" ? property : `${parent}.${property}`;
}

/** `/chart_ids/0` -> `chart_ids[0]` */
function fieldName(instancePath: string): string {
  if (instancePath === "") return "config";
  return instancePath
    .slice(1)
    .split("/")
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join("");
}
