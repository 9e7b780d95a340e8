import { describe, expect, it } from "vitest";
import { amplitudeSaid, chartErrorTable } from "../../src/amplitude/dashboard-api-errors.js";
import { ConnectorError, preview } from "../../src/errors.js";
import { describeNetworkError } from "../../src/http/http-client.js";

const ctx = {
  chartId: "abc123de",
  region: "Standard Server",
  url: "https://amplitude.com/api/3/chart/abc123de/csv",
};
const table = chartErrorTable(ctx);

const amplitudeError = (status: number, type: string, message: string, details: string): string =>
  JSON.stringify({ error: { http_code: status, type, message, metadata: { details } } });

function failure(status: number, body = ""): ConnectorError {
  const outcome = table.status(status, body);
  if (outcome.kind !== "fail") throw new Error(`HTTP ${status} was retried`);
  if (outcome.error instanceof ConnectorError) return outcome.error;
  expect.unreachable(`HTTP ${status} failed with a ${outcome.error.name}, not a ConnectorError`);
}

function retryReason(status: number, body = ""): string {
  const outcome = table.status(status, body);
  if (outcome.kind !== "retry") throw new Error(`HTTP ${status} was not retried`);
  return outcome.reason;
}

describe("answers that are never retried", () => {
  it.each([400, 401, 403, 404])("HTTP %d is a config error that names the chart", (status) => {
    const error = failure(status, amplitudeError(status, "x", "Something", "More"));
    expect(error.failureType).toBe("config_error");
    expect(error.message).toContain("abc123de");
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.internalMessage).toContain(ctx.url);
  });

  it("400 echoes Amplitude's message and details and says what to do", () => {
    const error = failure(
      400,
      amplitudeError(400, "bad_request", "Invalid chart", "Chart type not supported for CSV"),
    );
    expect(error.message).toContain("Invalid chart: Chart type not supported for CSV");
    expect(error.message).toMatch(/Open the chart in Amplitude/);
    expect(error.message).toMatch(/remove it from chart_ids/);
  });

  it.each([401, 403])("%d points at the keys and at data_region", (status) => {
    const error = failure(
      status,
      amplitudeError(status, "unauthorized", "Invalid API key", "Invalid Api-Key or Secret-Key"),
    );
    expect(error.message).toContain("Invalid API key: Invalid Api-Key or Secret-Key");
    expect(error.message).toContain("api_key and secret_key");
    expect(error.message).toContain("data_region");
    expect(error.message).toContain('"Standard Server"');
    expect(error.message).toContain("EU Residency Server");
  });

  it("401 and 403 in the EU region name that region", () => {
    const eu = chartErrorTable({ ...ctx, region: "EU Residency Server" });
    for (const status of [401, 403]) {
      const outcome = eu.status(status, "");
      expect(outcome.kind === "fail" && outcome.error.message).toContain(
        'now "EU Residency Server"',
      );
    }
  });

  it("404 says the chart was not found and how to find its ID", () => {
    const error = failure(404, amplitudeError(404, "not_found", "Chart not found", ""));
    expect(error.message).toContain("Chart abc123de was not found");
    expect(error.message).toContain("Chart not found");
    expect(error.message).toContain("/chart/");
    expect(error.message).toContain("Standard Server");
  });

  it.each([301, 302, 409, 418, 422])(
    "an unexpected HTTP %d fails as a system error that mentions base_url",
    (status) => {
      const error = failure(status, "<html>moved</html>");
      expect(error.failureType).toBe("system_error");
      expect(error.message).toContain("abc123de");
      expect(error.message).toContain("base_url");
    },
  );
});

describe("answers that are retried", () => {
  it.each([408, 429, 500, 502, 503, 504, 599])("HTTP %d is retried", (status) => {
    expect(retryReason(status)).toContain(`HTTP ${status}`);
  });

  it("the reason echoes which limit Amplitude says was hit", () => {
    const reason = retryReason(
      429,
      amplitudeError(
        429,
        "too_many_requests",
        "Too many requests",
        "Exceeded rate limit with query of cost 1200",
      ),
    );
    expect(reason).toBe("HTTP 429: Too many requests: Exceeded rate limit with query of cost 1200");
  });
});

describe("what Amplitude said", () => {
  it("is message and details from the JSON error body", () => {
    expect(amplitudeSaid(amplitudeError(429, "t", "Too many", "Exceeded concurrent limit"))).toBe(
      "Too many: Exceeded concurrent limit",
    );
  });

  it("is whichever of the two is there", () => {
    expect(amplitudeSaid(JSON.stringify({ error: { message: "Only message" } }))).toBe(
      "Only message",
    );
    expect(
      amplitudeSaid(JSON.stringify({ error: { metadata: { details: "Only details" } } })),
    ).toBe("Only details");
    expect(amplitudeSaid(amplitudeError(500, "t", "Oops", ""))).toBe("Oops");
  });

  it("is the body itself, on one line and shortened, when it is not Amplitude's JSON", () => {
    expect(amplitudeSaid("<html>\n  <body>Bad gateway</body>\n</html>")).toBe(
      "<html> <body>Bad gateway</body> </html>",
    );
    expect(amplitudeSaid('{"unexpected": true}')).toBe('{"unexpected": true}');
    expect(amplitudeSaid("")).toBe("(empty body)");
    const long = amplitudeSaid("x".repeat(1000));
    expect(long).toBe(`${"x".repeat(160)}...`);
  });

  it("preview keeps short text whole", () => {
    expect(preview("  short text  ")).toBe("short text");
    expect(preview("abcdef", 3)).toBe("abc...");
  });
});

describe("retries that ran out", () => {
  it("are a transient error that quotes the last reason and points at Amplitude's limits", () => {
    const error = table.exhausted(6, "HTTP 429: Too many requests", false);
    expect(error.failureType).toBe("transient_error");
    expect(error.message).toBe(
      "Amplitude gave no answer for chart abc123de: 6 attempts failed, the last with HTTP 429: Too many requests. " +
        "Amplitude may be busy or over its limits (5 concurrent requests per project, an hourly query cost budget): " +
        "run the sync again later, or lower max_concurrent_requests.",
    );
    expect(error.internalMessage).toContain(ctx.url);
  });

  it("point at base_url, the network and the proxy when no attempt reached a server", () => {
    const error = table.exhausted(6, "ECONNREFUSED: connect ECONNREFUSED", true);
    expect(error.message).toContain(
      "Nothing answered at amplitude.com: check base_url (or data_region)",
    );
    expect(error.message).not.toContain("max_concurrent_requests");
  });
});

describe("network errors", () => {
  it("are described with their codes and message", () => {
    const error = Object.assign(new Error("other side closed"), {
      code: "UND_ERR_SOCKET",
      cause: Object.assign(new Error("reset"), { code: "ECONNRESET" }),
    });
    expect(describeNetworkError(error)).toBe("UND_ERR_SOCKET/ECONNRESET: other side closed");
    expect(describeNetworkError(new Error("plain"))).toBe("plain");
    expect(describeNetworkError("a string")).toBe("a string");
  });
});
