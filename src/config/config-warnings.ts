import { loadSpec } from "../spec.js";
import { nearest } from "../spelling.js";

/** An option the spec does not know, and the one it probably means. */
export interface UnknownOption {
  name: string;
  probably: string | undefined;
}

/** Names people reach for, mapped to the option they mean. */
const ALIASES: Record<string, string> = {
  region: "data_region",
  server: "data_region",
  api_secret: "secret_key",
  secret: "secret_key",
  charts: "chart_ids",
  chart_id: "chart_ids",
  chart_urls: "chart_ids",
  timeout: "request_timeout_seconds",
  concurrency: "max_concurrent_requests",
  url: "base_url",
  host: "base_url",
};

/**
 * The config's options that the spec does not know. They are accepted (the spec allows
 * more), but a misspelt option is silently ignored, which costs users an hour: check and
 * read name each one and the option it probably means.
 */
export function unknownOptions(raw: unknown): UnknownOption[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return [];
  const known = Object.keys(loadSpec().connectionSpecification.properties as object);
  return Object.keys(raw)
    .filter((name) => !known.includes(name))
    .map((name) => ({ name, probably: closest(name, known) }));
}

/** The known option `name` most likely stands for, or undefined when none is close. */
function closest(name: string, known: string[]): string | undefined {
  const key = name.toLowerCase().replace(/[\s-]+/g, "_");
  if (known.includes(key)) return key;
  const alias = ALIASES[key];
  if (alias) return alias;
  // A prefix or part of a known name (request_timeout -> request_timeout_seconds).
  const containing = known.filter((k) => k.startsWith(key) || (key.length >= 4 && k.includes(key)));
  if (containing.length === 1) return containing[0];
  return nearest(key, known);
}

/** The WARN line for the unknown options, or undefined when there are none. */
export function unknownOptionsWarning(raw: unknown): string | undefined {
  const unknown = unknownOptions(raw);
  if (unknown.length === 0) return undefined;
  const each = unknown.map(({ name, probably }) =>
    probably ? `"${name}" (did you mean "${probably}"?)` : `"${name}"`,
  );
  const some = unknown.length > 1 ? "options" : "an option";
  const are = unknown.length > 1 ? "are" : "is";
  return `The config has ${some} this connector does not know, which ${are} ignored: ${each.join(", ")}. Fix the name, or remove it.`;
}

/**
 * What check and read say about a config that validates but will not do what its author
 * meant: unknown (probably misspelt) options, a project_id without a token.
 */
export function configWarnings(raw: unknown): string[] {
  const warnings: string[] = [];
  const unknown = unknownOptionsWarning(raw);
  if (unknown) warnings.push(unknown);
  if (typeof raw === "object" && raw !== null) {
    const { project_id: projectId, developer_api_token: token } = raw as Record<string, unknown>;
    if (
      (typeof projectId === "number" ||
        (typeof projectId === "string" && projectId.trim() !== "")) &&
      !(typeof token === "string" && token.trim() !== "")
    ) {
      warnings.push(
        "project_id is set but developer_api_token is not: the chart details (filters, type, link) stay null. Add the token, or remove project_id.",
      );
    }
  }
  return warnings;
}
