import { afterAll, describe, expect, it } from "vitest";
import { WAU } from "../helpers/charts.js";
import {
  closedPort,
  configFor,
  connectionStatus,
  run,
  serve,
  stopFakes,
} from "../helpers/connector.js";

/*
 * check's real budget, on the real clock, as a user meets it: the built CLI, check's own
 * retry waits (not shrunk), its 20-s deadline, a real DNS lookup. The same behaviours run
 * with injected clocks in test/source/first-sync.test.ts.
 */
afterAll(stopFakes);

const cli = { via: "cli" } as const;

describe.concurrent("check answers within 30 s", () => {
  // The retry waits are not shrunk here: check's own, as a user gets them.
  const realWaits = { SOURCE_AMPLITUDE_CHARTS_RETRY_DELAY_SCALE: "1" };

  it("when nothing listens at the host: FAILED, naming base_url and the network", async () => {
    const started = Date.now();
    const result = await run("check", {
      config: configFor(`http://127.0.0.1:${await closedPort()}`, ["abc123de"]),
      env: realWaits,
      ...cli,
    });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.code, result.stderr).toBe(0);
    const status = connectionStatus(result.messages);
    expect(status.status).toBe("FAILED");
    expect(status.message).toMatch(
      /Nothing answered at 127\.0\.0\.1:\d+: check base_url \(or data_region\), the network/,
    );
  });

  it("when a host name does not resolve: FAILED, the same advice", async () => {
    const started = Date.now();
    const result = await run("check", {
      config: configFor("https://no-such-host.invalid", ["abc123de"]),
      env: realWaits,
      ...cli,
    });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(connectionStatus(result.messages)).toMatchObject({
      status: "FAILED",
      message: expect.stringContaining("Nothing answered at no-such-host.invalid"),
    });
  });

  it("when Amplitude is still computing a chart: SUCCEEDED, saying its data was not seen", async () => {
    const fake = await serve(
      { [WAU.id]: { csv: WAU.csv }, slow1: { csv: WAU.csv } },
      { slow1: [{ kind: "hang" }] },
    );
    const started = Date.now();
    const result = await run("check", {
      config: configFor(fake, [WAU.id, "slow1"]),
      env: realWaits,
      ...cli,
    });
    expect(Date.now() - started).toBeLessThan(30_000);
    const status = connectionStatus(result.messages);
    expect(status.status).toBe("SUCCEEDED");
    expect(status.message).toBe(
      `Amplitude answered for ${WAU.id}. Chart(s) slow1 had not answered after 20 s, the time check has: ` +
        "Amplitude computes a chart when it is asked for, and a large one takes minutes. They were not refused " +
        "(wrong keys and unknown charts are refused at once), but their data was not seen; a read waits up to " +
        "request_timeout_seconds for each.",
    );
  }, 40_000);

  it("when Amplitude is busy: FAILED after check's short retries", async () => {
    const fake = await serve(
      { [WAU.id]: { csv: WAU.csv } },
      { [WAU.id]: Array.from({ length: 10 }, () => ({ kind: "status" as const, status: 503 })) },
    );
    const started = Date.now();
    const result = await run("check", {
      config: configFor(fake, [WAU.id]),
      env: realWaits,
      ...cli,
    });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(connectionStatus(result.messages).message).toMatch(
      /4 attempts failed, the last with HTTP 503/,
    );
    expect(fake.requestsFor(WAU.id)).toHaveLength(4);
  });
});
