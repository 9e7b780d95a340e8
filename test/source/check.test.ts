import { afterAll, describe, expect, it } from "vitest";
import { WAU, FUNNEL } from "../helpers/charts.js";
import {
  API_KEY,
  SECRET_KEY,
  configFor,
  connectionStatus,
  run,
  serve,
  stopFakes,
} from "../helpers/connector.js";

afterAll(stopFakes);

async function check(config: unknown) {
  const result = await run("check", { config });
  expect(result.code, result.stderr).toBe(0);
  return { ...connectionStatus(result.messages), result };
}

describe.concurrent("check", () => {
  it("SUCCEEDED when Amplitude answers for every chart", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv }, [FUNNEL.id]: { csv: FUNNEL.csv } });
    const { status, message } = await check(configFor(fake, [WAU.id, FUNNEL.id]));
    expect(status).toBe("SUCCEEDED");
    expect(message).toContain(WAU.id);
    expect(fake.requestsFor(WAU.id)).toHaveLength(1);
    expect(fake.requestsFor(FUNNEL.id)).toHaveLength(1);
  });

  it("SUCCEEDED after a 503 that a retry gets past", async () => {
    const fake = await serve(
      { [WAU.id]: { csv: WAU.csv } },
      { [WAU.id]: [{ kind: "status", status: 503 }] },
    );
    const { status } = await check(configFor(fake, [WAU.id]));
    expect(status).toBe("SUCCEEDED");
    expect(fake.requestsFor(WAU.id)).toHaveLength(2);
  });

  it("FAILED for wrong keys (401): names the chart and data_region, no retry", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } }, {}, { secretKey: "another-secret" });
    const { status, message } = await check(configFor(fake, [WAU.id]));
    expect(status).toBe("FAILED");
    expect(message).toContain(WAU.id);
    expect(message).toMatch(/401/);
    expect(message).toMatch(/data_region/);
    expect(message).toMatch(/api_key/);
    expect(fake.requests).toHaveLength(1);
  });

  it("with several charts failing for the same reason, names each and says what to do once", async () => {
    const fake = await serve(
      { [WAU.id]: { csv: WAU.csv }, other2: { csv: WAU.csv } },
      {},
      { secretKey: "another-secret" },
    );
    const { status, message } = await check(configFor(fake, [WAU.id, "other2", "gone404"]));
    expect(status).toBe("FAILED");
    const said = "HTTP 401: Invalid API key: Invalid Api-Key or Secret-Key provided.";
    expect(message).toBe(
      `3 of 3 charts failed. Amplitude did not accept the keys for chart ${WAU.id} (${said}). ` +
        `Amplitude did not accept the keys for chart other2 (${said}). ` +
        `Amplitude did not accept the keys for chart gone404 (${said}). ` +
        "Check that api_key and secret_key are the keys of the Amplitude project that owns the chart, " +
        'and that data_region matches that project (now "Standard Server"; EU data residency projects need ' +
        '"EU Residency Server", all others "Standard Server").',
    );
  });

  it("FAILED for a chart that does not exist (404), naming it", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const { status, message } = await check(configFor(fake, [WAU.id, "gone404"]));
    expect(status).toBe("FAILED");
    expect(message).toMatch(/gone404/);
    expect(message).toMatch(/not found/);
    expect(message).not.toContain(`chart ${WAU.id}`);
    expect(fake.requestsFor("gone404")).toHaveLength(1);
  });

  it("FAILED for a chart Amplitude rejects (400), echoing its message and details", async () => {
    const fake = await serve(
      { [WAU.id]: { csv: WAU.csv } },
      {
        [WAU.id]: [
          {
            kind: "status",
            status: 400,
            message: "Invalid chart definition",
            details: "Cohort 'Trial users' was deleted.",
          },
        ],
      },
    );
    const { status, message } = await check(configFor(fake, [WAU.id]));
    expect(status).toBe("FAILED");
    expect(message).toContain(WAU.id);
    expect(message).toContain("Invalid chart definition");
    expect(message).toContain("Cohort 'Trial users' was deleted.");
    expect(fake.requests).toHaveLength(1);
  });

  it("FAILED when the answer is an HTML page, naming the chart and base_url", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } }, { [WAU.id]: [{ kind: "html" }] });
    const { status, message } = await check(configFor(fake, [WAU.id]));
    expect(status).toBe("FAILED");
    expect(message).toContain(WAU.id);
    expect(message).toMatch(/HTML/);
    expect(message).toMatch(/base_url/);
  });

  it("FAILED when the answer is JSON without chart data, showing what it says", async () => {
    const body = JSON.stringify({ error: { message: "Query failed", metadata: { details: "x" } } });
    const fake = await serve(
      { [WAU.id]: { csv: WAU.csv } },
      { [WAU.id]: [{ kind: "body", contentType: "application/json", body }] },
    );
    const { status, message } = await check(configFor(fake, [WAU.id]));
    expect(status).toBe("FAILED");
    expect(message).toContain(WAU.id);
    expect(message).toMatch(/JSON without chart data: .*Query failed/);
  });

  it.each([
    ["max_concurrent_requests 9", { max_concurrent_requests: 9 }, /max_concurrent_requests/],
    ["missing api_key", { api_key: undefined }, /api_key/],
    ["empty chart_ids", { chart_ids: [] }, /chart_ids/],
    [
      "a chart entry with no readable ID",
      { chart_ids: ["abc123de", "https://app.amplitude.com/analytics/acme/dashboard/d1"] },
      /chart_ids\[1\].*dashboard\/d1/,
    ],
    ["base_url over plain http to a public host", { base_url: "http://example.com" }, /base_url/],
    ["base_url that is not a URL", { base_url: "amplitude dot com" }, /base_url/],
    ["an unknown data_region", { data_region: "US" }, /data_region.*Standard Server/],
  ])("FAILED for an invalid config (%s), naming the field, no request", async (_, extra, names) => {
    const fake = await serve({ abc123de: { csv: WAU.csv } });
    const config = JSON.parse(JSON.stringify({ ...configFor(fake, ["abc123de"]), ...extra }));
    const { status, message } = await check(config);
    expect(status).toBe("FAILED");
    expect(message).toMatch(names);
    expect(fake.requests).toHaveLength(0);
  });

  it("accepts the config of the contract with every optional field set", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const { status } = await check({
      api_key: API_KEY,
      secret_key: SECRET_KEY,
      chart_ids: [`https://app.amplitude.com/analytics/acme/chart/${WAU.id}`],
      data_region: "EU Residency Server",
      base_url: fake.baseUrl.replace("127.0.0.1", "localhost") + "/",
      max_concurrent_requests: 5,
      request_timeout_seconds: 30,
    });
    expect(status).toBe("SUCCEEDED");
    expect(fake.requestsFor(WAU.id)).toHaveLength(1);
  });
});
