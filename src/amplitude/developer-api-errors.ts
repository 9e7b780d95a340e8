import { ConnectorError, preview } from "../errors.js";
import { failNow, type ErrorTable, type StatusOutcome } from "../http/http-client.js";

/** A chart the Developer API does not know (404): its details stay null, the sync goes on. */
export class ChartNotFound extends Error {}

/** What a problem+json body says: its title, detail and error code, on one line. */
export function problemSaid(body: string): {
  said: string;
  code: string | undefined;
  retryAfterMs?: number;
} {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const text = (key: string): string | undefined =>
      typeof parsed[key] === "string" && parsed[key] !== "" ? parsed[key] : undefined;
    const code = text("error_code");
    const parts = [text("title"), text("detail")].filter((s) => s !== undefined);
    const seconds = parsed.retry_after_seconds;
    return {
      said: parts.length > 0 ? `${parts.join(": ")}${code ? ` (${code})` : ""}` : preview(body),
      code,
      ...(typeof seconds === "number" && seconds >= 0 && { retryAfterMs: seconds * 1000 }),
    };
  } catch {
    return { said: preview(body), code: undefined };
  }
}

const TOKEN_FIX =
  "Create a personal access token with the analytics:read scope (and projects:read, to find the project; " +
  "https://amplitude.com/docs/apis/developer says how), paste it whole into developer_api_token, or remove " +
  "developer_api_token to sync without the chart details.";

/**
 * The Developer API's answers, for the user: which setting to fix (developer_api_token,
 * project_id), what Amplitude said. 429 and 5xx are retried (retry_after_seconds counts
 * as Retry-After); a chart it does not know is ChartNotFound, not a failure.
 */
export function developerErrorTable(request: {
  /** What was asked for, for messages ("the details of chart abc123de", "the list of projects"). */
  what: string;
  url: string;
  projectId?: string;
}): ErrorTable {
  const { what, url, projectId } = request;
  return {
    status(status: number, body: string): StatusOutcome {
      const { said, code, retryAfterMs } = problemSaid(body);
      const answer = `HTTP ${status}: ${said}`;
      const fail = failNow(url, answer);
      if (status === 401) {
        return fail(
          `Amplitude's Developer API did not accept developer_api_token for ${what} (${answer}).`,
          TOKEN_FIX,
        );
      }
      if (status === 403 && code === "insufficient_scope") {
        return fail(
          `developer_api_token lacks a scope it needs for ${what} (${answer}).`,
          TOKEN_FIX,
        );
      }
      if (status === 403 && code === "operation_not_enabled") {
        return fail(
          `Amplitude's Developer API is not enabled for this organisation (${answer}): it is in Early Access.`,
          "Ask Amplitude for access, or remove developer_api_token to sync without the chart details.",
        );
      }
      if (status === 403) {
        return fail(
          `developer_api_token may not read ${what}${projectId ? ` in project ${projectId}` : ""} (${answer}).`,
          "Check that project_id is the numeric ID of the project that holds the charts (Amplitude: Settings > Projects), " +
            "and that the token's user can see that project.",
        );
      }
      if (status === 404 && what.startsWith("the details of chart")) {
        return { kind: "fail", error: new ChartNotFound(answer) };
      }
      if (status === 400 || status === 404) {
        return fail(
          `Amplitude's Developer API refused the request for ${what} (${answer}).`,
          "Check project_id (digits only) and developer_api_base_url.",
        );
      }
      if (status === 408 || status === 429 || status >= 500) {
        return {
          kind: "retry",
          reason: answer,
          ...(retryAfterMs !== undefined && { retryAfterMs }),
        };
      }
      return fail(
        `Amplitude's Developer API answered ${what} with an unexpected ${answer}.`,
        "If developer_api_base_url is set, check it.",
        "system_error",
      );
    },

    exhausted(attempts: number, lastReason: string, unreachable: boolean): ConnectorError {
      const whatToDo = unreachable
        ? `Nothing answered at ${new URL(url).host}: check developer_api_base_url (or data_region), the network, and HTTPS_PROXY/NO_PROXY.`
        : "Amplitude may be busy or over its limits: run the sync again later.";
      return new ConnectorError(
        "transient_error",
        `Amplitude's Developer API did not give ${what}: ${attempts} attempts failed, the last with ${lastReason}.`,
        { advice: whatToDo, internalMessage: `GET ${url}: ${lastReason}` },
      );
    },
  };
}
