import { afterAll, describe, expect, it } from "vitest";
import { jsonFiles, type CliResult } from "../helpers/run-cli.js";
import { errorTraces, records } from "../helpers/protocol.js";
import { WAU } from "../helpers/charts.js";
import {
  API_KEY,
  SECRET_KEY,
  allOutput,
  configFor,
  connectionStatus,
  run,
  runInProcess,
  serve,
  stopFakes,
} from "../helpers/connector.js";

afterAll(stopFakes);

const BASIC = Buffer.from(`${API_KEY}:${SECRET_KEY}`).toString("base64");

/** Neither key, nor the Basic credentials, anywhere in stdout or stderr. */
function expectNoSecrets(result: CliResult): void {
  const output = allOutput(result);
  for (const secret of [API_KEY, SECRET_KEY, BASIC, encodeURIComponent(BASIC)]) {
    expect(output).not.toContain(secret);
  }
}

describe.concurrent("secrets never appear in the output", () => {
  it("a successful check and read", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const config = configFor(fake, [WAU.id]);
    const checked = await run("check", { config });
    expect(connectionStatus(checked.messages).status).toBe("SUCCEEDED");
    expectNoSecrets(checked);
    const read = await run("read", { config, catalog: [`chart_${WAU.id}`, "charts_metadata"] });
    expect(records(read.messages)).toHaveLength(WAU.records.length + 1);
    expectNoSecrets(read);
  });

  it("wrong keys (401) in check and read", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } }, {}, { apiKey: "a-different-key" });
    const config = configFor(fake, [WAU.id]);
    const checked = await run("check", { config });
    expect(connectionStatus(checked.messages).status).toBe("FAILED");
    expectNoSecrets(checked);
    const read = await run("read", { config, catalog: [`chart_${WAU.id}`] });
    expect(errorTraces(read.messages)[0]?.failure_type).toBe("config_error");
    expectNoSecrets(read);
  });

  it("Amplitude quoting the keys back in an error body (403)", async () => {
    const fake = await serve(
      { [WAU.id]: { csv: WAU.csv } },
      {
        [WAU.id]: [
          {
            kind: "status",
            status: 403,
            message: `Key ${API_KEY} is not allowed`,
            details: `secret ${SECRET_KEY}; authorization: Basic ${BASIC}`,
          },
        ],
      },
    );
    const read = await run("read", {
      config: configFor(fake, [WAU.id]),
      catalog: [`chart_${WAU.id}`],
    });
    const trace = errorTraces(read.messages)[0];
    expect(trace?.failure_type).toBe("config_error");
    expect(trace?.message).toMatch(/is not allowed/);
    expectNoSecrets(read);
  });

  it("retries that run out (500), with stack traces", async () => {
    const fake = await serve(
      { [WAU.id]: { csv: WAU.csv } },
      { [WAU.id]: Array.from({ length: 6 }, () => ({ kind: "status" as const, status: 500 })) },
    );
    const read = await run("read", {
      config: configFor(fake, [WAU.id]),
      catalog: [`chart_${WAU.id}`],
    });
    expect(errorTraces(read.messages)[0]?.failure_type).toBe("transient_error");
    expectNoSecrets(read);
  });

  it("an HTML answer (system_error with a stack trace)", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } }, { [WAU.id]: [{ kind: "html" }] });
    const read = await run("read", {
      config: configFor(fake, [WAU.id]),
      catalog: [`chart_${WAU.id}`],
    });
    const trace = errorTraces(read.messages)[0];
    expect(trace?.failure_type).toBe("system_error");
    expect(trace?.stack_trace).toBeTruthy();
    expectNoSecrets(read);
  });

  it("config errors in check, discover and read", async () => {
    const bad = { ...configFor("http://example.com", ["abc123de"]), max_concurrent_requests: 9 };
    const checked = await run("check", { config: bad });
    expect(connectionStatus(checked.messages).status).toBe("FAILED");
    expectNoSecrets(checked);
    const discovered = await run("discover", { config: bad });
    expect(errorTraces(discovered.messages)[0]?.failure_type).toBe("config_error");
    expectNoSecrets(discovered);
    const read = await run("read", {
      config: configFor("https://amplitude.com", ["abc123de"]),
      catalog: ["chart_unknown"],
    });
    expect(errorTraces(read.messages)[0]?.failure_type).toBe("config_error");
    expectNoSecrets(read);
  });

  it("a key put in a chart entry or base_url by mistake", async () => {
    for (const config of [
      configFor("https://amplitude.com", [`${SECRET_KEY} x`]),
      configFor(`https://${API_KEY}:${SECRET_KEY}@`, ["abc123de"]),
    ]) {
      const checked = await run("check", { config });
      expect(connectionStatus(checked.messages).status).toBe("FAILED");
      expect(connectionStatus(checked.messages).message).toMatch(/chart_ids\[0\]|base_url/);
      expectNoSecrets(checked);
    }
  });

  it("a config file that is not JSON", async () => {
    for (const text of [
      `{"api_key": ${API_KEY}, "secret_key": ${SECRET_KEY}}`,
      `api_key=${API_KEY}\nsecret_key=${SECRET_KEY}\n`,
      `{"api_key": "${API_KEY}", "secret_key": "${SECRET_KEY}",}`,
    ]) {
      const result = await runInProcess([
        "check",
        "--config",
        jsonFiles({ config: text }).config ?? "",
      ]);
      expect(result.code).toBe(2);
      expectNoSecrets(result);
      for (const fragment of [API_KEY.slice(0, 6), SECRET_KEY.slice(0, 6)]) {
        expect(allOutput(result)).not.toContain(fragment);
      }
    }
  });
});
