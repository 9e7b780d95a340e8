import { ConnectorError, preview } from "../errors.js";
import { failNow, type ErrorTable, type StatusOutcome } from "../http/http-client.js";

/**
 * The Dashboard REST API's answers for one chart, for the user: which chart, what
 * Amplitude said, what to do next. 400/401/403/404 are never retried; 408, 429 and 5xx
 * are. This is the one place that knows.
 */
export function chartErrorTable(chart: {
  chartId: string;
  region: string;
  url: string;
  /** The base_url the user set, if any: a wrong one shows as 404s. */
  baseUrl?: string;
}): ErrorTable {
  const { chartId, region, url, baseUrl } = chart;
  const authFix =
    "Check that api_key and secret_key are the keys of the Amplitude project that owns the chart, " +
    `and that data_region matches that project (now "${region}"; EU data residency projects need "EU Residency Server", all others "Standard Server").`;

  return {
    status(status: number, body: string): StatusOutcome {
      const said = `HTTP ${status}: ${amplitudeSaid(body)}`;
      const fail = failNow(url, said);
      switch (true) {
        case status === 400:
          return fail(
            `Amplitude rejected chart ${chartId} (${said}).`,
            "Open the chart in Amplitude, check that it runs and is saved; " +
              "if Amplitude cannot export this chart type as CSV, remove it from chart_ids.",
          );
        case status === 401:
          return fail(`Amplitude did not accept the keys for chart ${chartId} (${said}).`, authFix);
        case status === 403:
          return fail(`Amplitude refused access to chart ${chartId} (${said}).`, authFix);
        case status === 404:
          return fail(
            `Chart ${chartId} was not found (${said}).`,
            "Check the chart ID (the part after /chart/ in the chart's URL), " +
              `that the chart is saved, and that it belongs to the project of these keys in region "${region}".` +
              (baseUrl !== undefined
                ? ` base_url is set (${baseUrl}): check that it is Amplitude's API host (https://amplitude.com or ` +
                  "https://analytics.eu.amplitude.com, or a proxy for it) with no path of its own, or remove it."
                : ""),
          );
        case status === 408 || status === 429 || status >= 500:
          return { kind: "retry", reason: said };
        default:
          return fail(
            `Amplitude answered chart ${chartId} with an unexpected ${said}.`,
            "If base_url is set, check that it points at Amplitude's API.",
            "system_error",
          );
      }
    },

    exhausted(attempts: number, lastReason: string, unreachable: boolean): ConnectorError {
      // A host that never answered is not Amplitude being busy.
      const whatToDo = unreachable
        ? `Nothing answered at ${new URL(url).host}: check base_url (or data_region), the network, and HTTPS_PROXY/NO_PROXY.`
        : "Amplitude may be busy or over its limits (5 concurrent requests per project, an hourly query cost budget): " +
          "run the sync again later, or lower max_concurrent_requests.";
      return new ConnectorError(
        "transient_error",
        `Amplitude gave no answer for chart ${chartId}: ${attempts} attempts failed, the last with ${lastReason}.`,
        { advice: whatToDo, internalMessage: `GET ${url}: ${lastReason}` },
      );
    },
  };
}

/** Amplitude's error body, `{"error":{"message":..., "metadata":{"details":...}}}`, as one line. */
export function amplitudeSaid(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown; metadata?: { details?: unknown } };
    };
    const message = typeof parsed.error?.message === "string" ? parsed.error.message : undefined;
    const details =
      typeof parsed.error?.metadata?.details === "string"
        ? parsed.error.metadata.details
        : undefined;
    if (message !== undefined || details !== undefined) {
      return [message, details].filter((s) => s !== undefined && s !== "").join(": ");
    }
  } catch {
    // not JSON: show the text itself
  }
  return preview(body);
}
