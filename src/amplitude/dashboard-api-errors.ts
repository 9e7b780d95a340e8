import { ConnectorError } from "../errors.js";

/** What to do with an HTTP answer other than 2xx, or with a failed connection. */
export type Outcome = { kind: "retry"; reason: string } | { kind: "fail"; error: ConnectorError };

export interface ChartContext {
  chartId: string;
  region: string;
  url: string;
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

/** The first characters of a body, on one line. */
export function preview(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "(empty body)";
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

const authFix = (ctx: ChartContext): string =>
  `Check that api_key and secret_key are the keys of the Amplitude project that owns chart ${ctx.chartId}, ` +
  `and that data_region matches that project (now "${ctx.region}"; EU data residency projects need "EU Residency Server", all others "Standard Server").`;

/** The table: HTTP status -> what it means for the user, and whether to try again. */
export function classifyStatus(status: number, body: string, ctx: ChartContext): Outcome {
  const said = `HTTP ${status}: ${amplitudeSaid(body)}`;
  const fail = (message: string): Outcome => ({
    kind: "fail",
    error: new ConnectorError("config_error", message, {
      internalMessage: `GET ${ctx.url} -> ${said}`,
    }),
  });
  switch (true) {
    case status === 400:
      return fail(
        `Amplitude rejected chart ${ctx.chartId} (${said}). Open the chart in Amplitude, check that it runs and is saved; ` +
          "if Amplitude cannot export this chart type as CSV, remove it from chart_ids.",
      );
    case status === 401:
      return fail(
        `Amplitude did not accept the keys for chart ${ctx.chartId} (${said}). ${authFix(ctx)}`,
      );
    case status === 403:
      return fail(`Amplitude refused access to chart ${ctx.chartId} (${said}). ${authFix(ctx)}`);
    case status === 404:
      return fail(
        `Chart ${ctx.chartId} was not found (${said}). Check the chart ID (the part after /chart/ in the chart's URL), ` +
          `that the chart is saved, and that it belongs to the project of these keys in region "${ctx.region}".`,
      );
    case status === 408 || status === 429 || status >= 500:
      return { kind: "retry", reason: said };
    default:
      return {
        kind: "fail",
        error: new ConnectorError(
          "system_error",
          `Amplitude answered chart ${ctx.chartId} with an unexpected ${said}. If base_url is set, check that it points at Amplitude's API.`,
          { internalMessage: `GET ${ctx.url} -> ${said}` },
        ),
      };
  }
}

/** Network-level failures (resets, timeouts, refused connections, cut bodies) are all worth a retry. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const causeCode = (error.cause as { code?: unknown } | undefined)?.code;
  const label = [code, causeCode].filter((c) => typeof c === "string").join("/");
  return label ? `${label}: ${error.message}` : error.message;
}
