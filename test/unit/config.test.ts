import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/config.js";
import { ConnectorError } from "../../src/errors.js";

const minimal = { api_key: "k".repeat(32), secret_key: "s".repeat(32), chart_ids: ["abc123de"] };

/** The config error parseConfig throws for `raw` (fails the test if it does not throw one). */
function configErrorOf(raw: unknown): ConnectorError {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).failureType).toBe("config_error");
    return error as ConnectorError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(raw)}`);
}

describe("a valid config", () => {
  it("gets the defaults: Standard Server, amplitude.com, 2 concurrent requests, 300 s", () => {
    expect(parseConfig(minimal)).toEqual({
      chartIds: ["abc123de"],
      dashboard: {
        apiKey: minimal.api_key,
        secretKey: minimal.secret_key,
        dataRegion: "Standard Server",
        baseUrl: "https://amplitude.com",
        baseUrlGiven: false,
      },
      developerApi: undefined,
      maxConcurrentRequests: 2,
      requestTimeoutMs: 300_000,
      lookbackDays: 7,
    });
  });

  it("removes whitespace pasted around the keys (Amplitude's keys hold none)", () => {
    const config = parseConfig({
      ...minimal,
      api_key: ` ${minimal.api_key}\n`,
      secret_key: `\t${minimal.secret_key} `,
    });
    expect(config.dashboard.apiKey).toBe(minimal.api_key);
    expect(config.dashboard.secretKey).toBe(minimal.secret_key);
    expect(() => parseConfig({ ...minimal, api_key: "  \n" })).toThrow("api_key must not be empty");
  });

  it("uses the EU host for the EU Residency Server", () => {
    const config = parseConfig({ ...minimal, data_region: "EU Residency Server" });
    expect(config.dashboard.dataRegion).toBe("EU Residency Server");
    expect(config.dashboard.baseUrl).toBe("https://analytics.eu.amplitude.com");
  });

  it("takes the given concurrency and timeout (seconds to milliseconds)", () => {
    const config = parseConfig({
      ...minimal,
      max_concurrent_requests: 5,
      request_timeout_seconds: 12,
    });
    expect(config.maxConcurrentRequests).toBe(5);
    expect(config.requestTimeoutMs).toBe(12_000);
    expect(parseConfig({ ...minimal, max_concurrent_requests: 1 }).maxConcurrentRequests).toBe(1);
  });

  it("caps a huge request_timeout_seconds at the longest wait a timer can hold (~24.8 days)", () => {
    const config = parseConfig({ ...minimal, request_timeout_seconds: 10_000_000 });
    expect(config.requestTimeoutMs).toBe(2 ** 31 - 1);
  });

  it("accepts unknown extra properties", () => {
    expect(parseConfig({ ...minimal, something_else: true }).chartIds).toEqual(["abc123de"]);
  });

  it("does not change the object it was given", () => {
    const raw = structuredClone(minimal);
    parseConfig(raw);
    expect(raw).toEqual(minimal);
  });
});

describe("chart_ids", () => {
  it("extracts IDs from URLs and collapses duplicates, keeping the first position", () => {
    const config = parseConfig({
      ...minimal,
      chart_ids: [
        "abc123de",
        "https://app.amplitude.com/analytics/ORG/chart/x9y8z7w6",
        "https://app.amplitude.com/analytics/ORG/chart/abc123de",
        "  abc123de ",
        "app.amplitude.com/analytics/ORG/chart/abc123de/edit/q",
        "x9y8z7w6",
        "zz-1",
      ],
    });
    expect(config.chartIds).toEqual(["abc123de", "x9y8z7w6", "zz-1"]);
  });

  it("names the entry from which no ID can be read, with an example of what works", () => {
    const error = configErrorOf({
      ...minimal,
      chart_ids: ["abc123de", "https://app.amplitude.com/analytics/ORG/home"],
    });
    expect(error.message).toBe(
      'Invalid config: chart_ids[1] ("https://app.amplitude.com/analytics/ORG/home") holds no chart ID. ' +
        "Give the ID (e.g. abc123de) or the chart's URL (https://app.amplitude.com/analytics/ORG/chart/abc123de); " +
        "several may share an entry, separated by commas, spaces or line breaks.",
    );
  });

  it("reads every ID and URL of a list pasted into one entry, whatever separates them", () => {
    const config = parseConfig({
      ...minimal,
      chart_ids: [
        "https://app.amplitude.com/analytics/ORG/chart/abc123de\nhttps://app.amplitude.com/analytics/ORG/chart/x9y8z7w6\r\n",
        "k2d8s0a1 m7x3q9wz;p4n6r2tb,\tabc123de",
        "zz-1",
      ],
    });
    expect(config.chartIds).toEqual([
      "abc123de",
      "x9y8z7w6",
      "k2d8s0a1",
      "m7x3q9wz",
      "p4n6r2tb",
      "zz-1",
    ]);
  });

  it("names the piece of a pasted list from which no ID can be read", () => {
    const error = configErrorOf({
      ...minimal,
      chart_ids: ["abc123de\nhttps://app.amplitude.com/analytics/ORG/home"],
    });
    expect(error.message).toContain(
      'chart_ids[0] ("abc123de\nhttps://app.amplitude.com/analytics/ORG/home") holds "https://app.amplitude.com/analytics/ORG/home", which holds no chart ID.',
    );
  });

  it.each<[string, unknown, string]>([
    ["empty list", [], "chart_ids"],
    ["not a list", "abc123de", "chart_ids"],
    ["a number entry", ["abc123de", 5], "chart_ids[1]"],
    ["an empty entry", [""], "chart_ids[0]"],
  ])("rejects %s, naming %s", (_, chartIds, field) => {
    expect(configErrorOf({ ...minimal, chart_ids: chartIds }).message).toContain(field);
  });
});

describe("invalid configs name the offending field", () => {
  it("rejects a config that is not an object", () => {
    for (const raw of [null, [], "config", 5]) {
      expect(configErrorOf(raw).message).toMatch(/api_key, secret_key and chart_ids/);
    }
  });

  it("names every missing required field", () => {
    const message = configErrorOf({}).message;
    expect(message).toContain("api_key is required");
    expect(message).toContain("secret_key is required");
    expect(message).toContain("chart_ids is required");
  });

  it("names a single missing field", () => {
    const rest: Record<string, unknown> = { ...minimal };
    delete rest.secret_key;
    const message = configErrorOf(rest).message;
    expect(message).toContain("secret_key is required");
    expect(message).not.toContain("api_key");
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["api_key of the wrong type", { api_key: 42 }, /api_key must be string/],
    ["an empty api_key", { api_key: "" }, /api_key/],
    ["secret_key of the wrong type", { secret_key: ["x"] }, /secret_key must be string/],
    [
      "an unknown data_region",
      { data_region: "US" },
      /data_region must be one of "Standard Server", "EU Residency Server"/,
    ],
    ["max_concurrent_requests 0", { max_concurrent_requests: 0 }, /max_concurrent_requests/],
    ["max_concurrent_requests 6", { max_concurrent_requests: 6 }, /max_concurrent_requests/],
    ["a fractional max_concurrent_requests", { max_concurrent_requests: 2.5 }, /integer/],
    [
      "max_concurrent_requests as text",
      { max_concurrent_requests: "3" },
      /max_concurrent_requests/,
    ],
    ["request_timeout_seconds 0", { request_timeout_seconds: 0 }, /request_timeout_seconds/],
    [
      "request_timeout_seconds as text",
      { request_timeout_seconds: "60" },
      /request_timeout_seconds/,
    ],
    ["base_url of the wrong type", { base_url: 8080 }, /base_url/],
  ])("rejects %s", (_, patch, pattern) => {
    expect(configErrorOf({ ...minimal, ...patch }).message).toMatch(pattern);
  });

  it("reports several problems in one message", () => {
    const message = configErrorOf({
      ...minimal,
      data_region: "Mars",
      max_concurrent_requests: 9,
    }).message;
    expect(message).toContain("data_region");
    expect(message).toContain("max_concurrent_requests");
  });

  it("never repeats the keys in the message", () => {
    const error = configErrorOf({
      api_key: "VERY-SECRET-API-KEY",
      secret_key: "VERY-SECRET-SECRET",
      chart_ids: ["https://app.amplitude.com/analytics/ORG/home"],
    });
    expect(error.message).not.toContain("VERY-SECRET");
    const typed = configErrorOf({ api_key: "VERY-SECRET-API-KEY", secret_key: 5, chart_ids: [] });
    expect(typed.message).not.toContain("VERY-SECRET");
  });
});

describe("base_url", () => {
  it.each<[string, string]>([
    ["https://proxy.example.com", "https://proxy.example.com"],
    ["https://proxy.example.com/", "https://proxy.example.com"],
    ["https://proxy.example.com/amplitude/", "https://proxy.example.com/amplitude"],
    ["  https://proxy.example.com  ", "https://proxy.example.com"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://127.5.6.7", "http://127.5.6.7"],
    ["http://localhost:3000/", "http://localhost:3000"],
    ["http://[::1]:9000", "http://[::1]:9000"],
  ])("accepts %s as %s", (baseUrl, expected) => {
    expect(parseConfig({ ...minimal, base_url: baseUrl }).dashboard.baseUrl).toBe(expected);
  });

  it("overrides the region's host", () => {
    const config = parseConfig({
      ...minimal,
      data_region: "EU Residency Server",
      base_url: "https://proxy.example.com",
    });
    expect(config.dashboard.baseUrl).toBe("https://proxy.example.com");
    expect(config.dashboard.dataRegion).toBe("EU Residency Server");
  });

  it("falls back to the region's host when empty", () => {
    expect(parseConfig({ ...minimal, base_url: "" }).dashboard.baseUrl).toBe(
      "https://amplitude.com",
    );
  });

  it.each([
    "http://amplitude.com",
    "http://10.0.0.5:8080",
    "http://localhost.example.com",
    "http://127.0.0.1.nip.io",
    "http://[::2]:80",
    "ftp://127.0.0.1",
  ])("rejects %s: https only, http just for loopback", (baseUrl) => {
    const message = configErrorOf({ ...minimal, base_url: baseUrl }).message;
    expect(message).toContain("base_url");
    expect(message).toContain("https://");
    expect(message).toMatch(/127\.0\.0\.1, localhost or \[::1\]/);
  });

  it.each(["not a url", "amplitude.com", "https//amplitude.com"])(
    "rejects %j as not a URL, naming base_url",
    (baseUrl) => {
      const message = configErrorOf({ ...minimal, base_url: baseUrl }).message;
      expect(message).toContain("base_url");
      expect(message).toContain("not a URL");
    },
  );
});

describe("the Developer API options", () => {
  it("turn the enrichment on with a token, the host following the region", () => {
    expect(
      parseConfig({ ...minimal, developer_api_token: " amp_tok_123 \n" }).developerApi,
    ).toEqual({
      token: "amp_tok_123",
      baseUrl: "https://developer-api.amplitude.com",
      projectId: undefined,
    });
    const eu = parseConfig({
      ...minimal,
      data_region: "EU Residency Server",
      developer_api_token: "amp_tok_123",
      project_id: "123456",
    });
    expect(eu.developerApi).toEqual({
      token: "amp_tok_123",
      baseUrl: "https://developer-api.eu.amplitude.com",
      projectId: "123456",
    });
    expect(parseConfig(minimal).developerApi).toBeUndefined();
  });

  it("take developer_api_base_url by base_url's rules", () => {
    const config = parseConfig({
      ...minimal,
      developer_api_token: "amp_tok_123",
      developer_api_base_url: "http://127.0.0.1:9999/",
    });
    expect(config.developerApi?.baseUrl).toBe("http://127.0.0.1:9999");
    expect(() =>
      parseConfig({
        ...minimal,
        developer_api_token: "t",
        developer_api_base_url: "http://example.com",
      }),
    ).toThrow(/developer_api_base_url \("http:\/\/example\.com"\) must use https:\/\//);
  });

  it("take project_id given as a number (the numeric ID), as the same ID", () => {
    const config = parseConfig({ ...minimal, developer_api_token: "amp_t", project_id: 123456 });
    expect(config.developerApi?.projectId).toBe("123456");
    expect(() => parseConfig({ ...minimal, project_id: 12.5 })).toThrow(
      "Invalid config: project_id must be the project's numeric ID, digits only (e.g. 123456).",
    );
  });

  it("name project_id when it is not digits", () => {
    expect(() => parseConfig({ ...minimal, project_id: "acme-web" })).toThrow(
      "Invalid config: project_id must be the project's numeric ID, digits only (e.g. 123456).",
    );
  });
});
