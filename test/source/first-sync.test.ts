import { afterAll, describe, expect, it } from "vitest";
import { FUNNEL, WAU } from "../helpers/charts.js";
import {
  API_KEY,
  closedPort,
  SECRET_KEY,
  configFor,
  connectionStatus,
  run,
  serve,
  stopFakes,
  timeline,
  completed,
  runInProcess,
} from "../helpers/connector.js";
import { errorTraces, logs, records } from "../helpers/protocol.js";
import { jsonFiles } from "../helpers/run-cli.js";

/*
 * From keys to a first read, as a user does it: the connector in process, the fake Amplitude, the
 * mistakes people make on the way, and what they are told.
 */
afterAll(stopFakes);

async function wauFake() {
  return serve({ [WAU.id]: { csv: WAU.csv } });
}

describe.concurrent("making a configured catalog", () => {
  it("discover's output, saved as it is, is a catalog that reads every stream", async () => {
    const fake = await wauFake();
    const config = configFor(fake, [WAU.id]);
    const discover = await run("discover", { config });
    const result = await run("read", { config, catalog: discover.stdout });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages, `chart_${WAU.id}`)).toEqual(WAU.records);
    expect(records(result.messages, "charts_metadata")).toEqual([WAU.metadata]);
    expect(logs(result.messages, "INFO")).toContain(
      "The catalog is discover's output, not a configured catalog: every stream is read, with full refresh.",
    );
  });

  it("so is the catalog object inside it", async () => {
    const fake = await wauFake();
    const config = configFor(fake, [WAU.id]);
    const discover = await run("discover", { config });
    const inner = discover.messages.find((m) => m.type === "CATALOG")?.catalog;
    const result = await run("read", { config, catalog: inner });
    expect(result.code, result.stderr).toBe(0);
    expect(timeline(result.messages, `chart_${WAU.id}`)).toEqual(completed(WAU.records.length));
  });

  it("read without --catalog says how to make one", async () => {
    const fake = await wauFake();
    const result = await run("read", { config: configFor(fake, [WAU.id]) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "missing --catalog <path to the configured catalog JSON file>.",
    );
    expect(result.stderr).toContain(
      "pass discover's output as it is (discover --config CONFIG > catalog.json)",
    );
  });

  it("another command's output as the catalog is named for what it is", async () => {
    const fake = await wauFake();
    const spec = await run("spec");
    const result = await run("read", {
      config: configFor(fake, [WAU.id]),
      catalog: spec.stdout,
    });
    expect(result.code).toBe(1);
    expect(errorTraces(result.messages)[0]?.message).toMatch(
      /^Invalid catalog: it holds a SPEC message \(the output of spec\), not a catalog\./,
    );
  });

  it("the demo's catalog with a user's charts says it was made for other chart_ids", async () => {
    const fake = await wauFake();
    const result = await run("read", {
      config: configFor(fake, ["m7x3q9wz"]),
      catalog: ["chart_k2d8s0a1", "charts_metadata"],
    });
    expect(result.code).toBe(1);
    expect(errorTraces(result.messages)[0]?.message).toContain(
      'stream "chart_k2d8s0a1" is not a stream of this config (a catalog made for other chart_ids?)',
    );
  });

  it("a catalog that selects nothing says so, and exits 0", async () => {
    const fake = await wauFake();
    const result = await run("read", {
      config: configFor(fake, [WAU.id]),
      catalog: { streams: [] },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(logs(result.messages, "WARN")[0]).toMatch(
      /^The catalog selects no stream: nothing to read\./,
    );
    expect(fake.requests).toEqual([]);
  });

  it("--help's example reads a catalog of the user's own", async () => {
    const help = await runInProcess(["--help"]);
    expect(help.stderr).toContain(
      "read --config secrets/config.json --catalog secrets/catalog.json",
    );
    expect(help.stderr).not.toContain("integration_tests");
  });
});

describe.concurrent(
  "check answers in its time (deadline and waits injected; test/e2e/check-deadline.test.ts keeps the real 20 s)",
  () => {
    it("when nothing listens at the host: FAILED, naming base_url and the network", async () => {
      const result = await run("check", {
        config: configFor(`http://127.0.0.1:${await closedPort()}`, ["abc123de"]),
      });
      expect(result.code, result.stderr).toBe(0);
      const status = connectionStatus(result.messages);
      expect(status.status).toBe("FAILED");
      expect(status.message).toMatch(
        /Nothing answered at 127\.0\.0\.1:\d+: check base_url \(or data_region\), the network/,
      );
    });

    it("when Amplitude is still computing a chart: SUCCEEDED, saying its data was not seen", async () => {
      const fake = await serve(
        { [WAU.id]: { csv: WAU.csv }, slow1: { csv: WAU.csv } },
        { slow1: [{ kind: "hang" }] },
      );
      const result = await run("check", {
        config: configFor(fake, [WAU.id, "slow1"]),
        timing: { checkDeadlineMs: 300 },
      });
      const status = connectionStatus(result.messages);
      expect(status.status).toBe("SUCCEEDED");
      expect(status.message).toBe(
        `Amplitude answered for ${WAU.id}. Chart(s) slow1 had not answered after 0.3 s, the time check has: ` +
          "Amplitude computes a chart when it is asked for, and a large one takes minutes. They were not refused " +
          "(wrong keys and unknown charts are refused at once), but their data was not seen; a read waits up to " +
          "request_timeout_seconds for each.",
      );
    });

    it("when Amplitude is busy: FAILED after check's short retries", async () => {
      const fake = await serve(
        { [WAU.id]: { csv: WAU.csv } },
        { [WAU.id]: Array.from({ length: 10 }, () => ({ kind: "status" as const, status: 503 })) },
      );
      const result = await run("check", { config: configFor(fake, [WAU.id]) });
      expect(connectionStatus(result.messages).message).toMatch(
        /4 attempts failed, the last with HTTP 503/,
      );
      expect(fake.requestsFor(WAU.id)).toHaveLength(4);
    });
  },
);

describe.concurrent("mistakes in the config", () => {
  it.each(["check", "read"])(
    "a misspelt option gets a WARN from %s naming the option meant",
    async (command) => {
      const fake = await wauFake();
      const result = await run(command, {
        config: {
          ...configFor(fake, [WAU.id]),
          region: "EU Residency Server",
          request_timeout: 60,
          max_concurrent_request: 3,
        },
        catalog: [`chart_${WAU.id}`],
      });
      expect(result.code, result.stderr).toBe(0);
      const warning =
        'The config has options this connector does not know, which are ignored: "region" (did you mean "data_region"?), ' +
        '"request_timeout" (did you mean "request_timeout_seconds"?), "max_concurrent_request" (did you mean "max_concurrent_requests"?). ' +
        "Fix the name, or remove it.";
      expect(logs(result.messages, "WARN")).toContain(warning);
      // Airbyte's UI shows check's status, not its LOG lines.
      if (command === "check") {
        expect(connectionStatus(result.messages)).toEqual({
          status: "SUCCEEDED",
          message: `Amplitude answered for all 1 chart(s): ${WAU.id}. ${warning}`,
        });
      }
    },
  );

  it("a trailing comma is pointed at by line and column, whatever Node's version", async () => {
    const text = `{\n  "api_key": "${API_KEY}",\n  "secret_key": "${SECRET_KEY}",\n  "chart_ids": ["a", "b",],\n}\n`;
    const files = jsonFiles({ config: text });
    const result = await runInProcess(["check", "--config", files.config as string]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `source-amplitude-charts: the config file ${files.config ?? ""} is not valid JSON (line 4, column 25: a comma before ] (remove it)).\n`,
    );
    expect(result.stdout + result.stderr).not.toContain(API_KEY);
  });

  it("a list of chart URLs pasted into one box gives every chart, in check, discover and read", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv }, [FUNNEL.id]: { csv: FUNNEL.csv } });
    // Airbyte's form splits the box on commas only: a list pasted one per line is one entry.
    const pasted = [WAU.id, FUNNEL.id]
      .map((id) => `https://app.amplitude.com/analytics/acme/chart/${id}`)
      .join("\n");
    const config = configFor(fake, [pasted]);
    const checked = await run("check", { config });
    expect(connectionStatus(checked.messages)).toEqual({
      status: "SUCCEEDED",
      message: `Amplitude answered for all 2 chart(s): ${WAU.id}, ${FUNNEL.id}.`,
    });
    const discovered = await run("discover", { config });
    const catalog = discovered.messages.find((m) => m.type === "CATALOG")?.catalog as {
      streams: { name: string }[];
    };
    expect(catalog.streams.map((s) => s.name)).toEqual([
      "charts_metadata",
      `chart_${WAU.id}`,
      `chart_${FUNNEL.id}`,
    ]);
    const result = await run("read", { config, catalog: discovered.stdout });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages, `chart_${WAU.id}`)).toEqual(WAU.records);
    expect(records(result.messages, `chart_${FUNNEL.id}`)).toEqual(FUNNEL.records);
  });

  it("keys pasted with a space or a line break still work", async () => {
    const fake = await wauFake();
    const result = await run("check", {
      config: {
        ...configFor(fake, [WAU.id]),
        api_key: ` ${API_KEY}\n`,
        secret_key: `${SECRET_KEY} `,
      },
    });
    expect(connectionStatus(result.messages).status).toBe("SUCCEEDED");
    expect(fake.requests.every((r) => r.authorized)).toBe(true);
  });

  it("a 404 with base_url set names base_url, not only the chart ID", async () => {
    const fake = await wauFake();
    const result = await run("check", {
      config: configFor(`${fake.baseUrl}/proxy`, [WAU.id]),
    });
    const { status, message } = connectionStatus(result.messages);
    expect(status).toBe("FAILED");
    expect(message).toContain(
      `base_url is set (${fake.baseUrl}/proxy): check that it is Amplitude's API host`,
    );
  });
});
