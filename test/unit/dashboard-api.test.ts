import { tmpdir } from "node:os";
import { createServer, type Server } from "node:net";
import { Writable } from "node:stream";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { amplitudeCsv, dates, envelope } from "../../fake-amplitude/csv.js";
import { Barrier, FakeAmplitude, type FakeChart, type Fault } from "../../fake-amplitude/server.js";
import { DashboardApi } from "../../src/amplitude/dashboard-api.js";
import { readChartExport } from "../../src/body/chart-export.js";
import { BodySpool, type BodyWriter, type SpooledBody } from "../../src/body/spool.js";
import { parseConfig, type DashboardSettings } from "../../src/config/config.js";
import { ConnectorError } from "../../src/errors.js";
import { HttpClient, type RetryNotice } from "../../src/http/http-client.js";
import { DEFAULT_RETRY_POLICY } from "../../src/http/retry-policy.js";
import { collect } from "./support.js";

const API_KEY = "0123456789abcdef0123456789abcdef";
const SECRET_KEY = "fedcba9876543210fedcba9876543210";
const BASIC = Buffer.from(`${API_KEY}:${SECRET_KEY}`).toString("base64");

const CSV = fixtureCsv(40);
const BIG_CSV = fixtureCsv(5000);

function fixtureCsv(rows: number): string {
  const header = ["Segment", ...dates("2026-06-01", 14)];
  return amplitudeCsv({
    title: "Weekly Active Users",
    metric: [["Uniques"], ["Page Viewed"]],
    header,
    rows: Array.from({ length: rows }, (_, i) => [
      `Group "${i}", é`,
      ...Array.from({ length: 14 }, (_, k) => i * 14 + k),
    ]),
  });
}

const { spool } = await BodySpool.create([tmpdir()]);
afterAll(() => spool.close());

const textOf = async (body: SpooledBody): Promise<string> => (await collect(body.text())).join("");

interface LogLine {
  level: string;
  message: string;
}

/** A fake Amplitude, a client for it with recorded waits and logs, and a fresh file path. */
class Harness {
  readonly sleeps: number[] = [];
  readonly logs: LogLine[] = [];
  readonly retries: RetryNotice[] = [];
  fake!: FakeAmplitude;
  http!: HttpClient;
  client!: DashboardApi;
  settings!: DashboardSettings;

  async start(
    options: {
      charts?: Record<string, FakeChart>;
      faults?: Record<string, Fault[]>;
      settings?: Partial<DashboardSettings>;
      requestTimeoutMs?: number;
      random?: () => number;
    } = {},
  ): Promise<this> {
    this.fake = new FakeAmplitude({
      apiKey: API_KEY,
      secretKey: SECRET_KEY,
      charts: options.charts ?? { abc123de: { csv: CSV } },
      faults: options.faults ?? {},
    });
    const baseUrl = await this.fake.start();
    this.settings = {
      apiKey: API_KEY,
      secretKey: SECRET_KEY,
      dataRegion: "Standard Server",
      baseUrl,
      baseUrlGiven: true,
      ...options.settings,
    };
    this.http = new HttpClient({
      connections: 2,
      timeoutMs: options.requestTimeoutMs ?? 5_000,
      policy: DEFAULT_RETRY_POLICY,
      useProxy: false,
      sleep: async (ms) => {
        this.sleeps.push(ms);
      },
      random: options.random ?? (() => 0.5),
      log: async (level, message) => {
        this.logs.push({ level, message });
      },
    });
    this.client = new DashboardApi(this.settings, this.http);
    return this;
  }

  download(chartId = "abc123de"): Promise<SpooledBody> {
    return this.client.downloadChart(chartId, spool.writer(chartId), {
      onRetry: (notice) => void this.retries.push(notice),
    });
  }

  async failure(promise: Promise<unknown>): Promise<ConnectorError> {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(ConnectorError);
      this.expectNoSecrets(error as ConnectorError);
      return error as ConnectorError;
    }
    throw new Error("expected the download to fail");
  }

  /** Nothing the client says or throws holds the keys or the Authorization value. */
  expectNoSecrets(error?: ConnectorError): void {
    const texts = this.logs.map((l) => l.message);
    if (error) texts.push(error.message, error.internalMessage ?? "", error.stack ?? "");
    for (const text of texts) {
      for (const secret of [API_KEY, SECRET_KEY, BASIC]) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/authorization/i);
    }
  }

  async stop(): Promise<void> {
    await this.http.close();
    await this.fake.stop();
  }
}

const harnesses: Harness[] = [];
async function harness(options?: Parameters<Harness["start"]>[0]): Promise<Harness> {
  const h = await new Harness().start(options);
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  while (harnesses.length > 0) await harnesses.pop()?.stop();
});

describe("a download that works the first time", () => {
  it("saves the whole body, authenticated with the keys", async () => {
    const h = await harness();
    const chart = await h.download();
    const body = await textOf(chart);
    expect(body).toBe(envelope(CSV));
    expect(chart).toMatchObject({
      chartId: "abc123de",
      bytes: Buffer.byteLength(body),
      contentType: "application/json",
    });
    expect(chart.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(h.fake.requests).toHaveLength(1);
    expect(h.fake.requests[0]).toMatchObject({ chartId: "abc123de", authorized: true });
    expect(h.sleeps).toEqual([]);
    expect(h.logs).toEqual([]);
  });

  it("saves a raw text/csv body as it came", async () => {
    const h = await harness({ charts: { raw1: { csv: CSV, raw: true } } });
    const chart = await h.download("raw1");
    expect(await textOf(chart)).toBe(CSV);
    expect(chart.contentType).toBe("text/csv; charset=utf-8");
  });

  it("saves a large body whole, read back as the same CSV", async () => {
    const h = await harness({ charts: { big: { csv: BIG_CSV } } });
    const chart = await h.download("big");
    expect(chart.bytes).toBeGreaterThan(500_000);
    expect(await textOf(chart)).toBe(envelope(BIG_CSV));
  });

  it("asks for /api/3/chart/{id}/csv under the base URL", async () => {
    const h = await harness();
    expect(h.client.chartUrl("abc123de")).toBe(`${h.settings.baseUrl}/api/3/chart/abc123de/csv`);
    expect(h.client.chartUrl("a/b c")).toBe(`${h.settings.baseUrl}/api/3/chart/a%2Fb%20c/csv`);
  });
});

describe("answers that are retried", () => {
  it("retries a 429 after about 2 s and logs the attempt, the reason and the wait", async () => {
    const h = await harness({
      faults: {
        abc123de: [
          {
            kind: "status",
            status: 429,
            message: "Too many requests",
            details: "Exceeded concurrent limit",
          },
        ],
      },
    });
    const chart = await h.download();
    expect(await textOf(chart)).toBe(envelope(CSV));
    expect(h.fake.requests).toHaveLength(2);
    expect(h.sleeps).toEqual([2_000]);
    expect(h.logs).toEqual([
      {
        level: "WARN",
        message:
          "Chart abc123de: attempt 1 failed with HTTP 429: Too many requests: Exceeded concurrent limit; retry 1 of 5 in 2.0 s.",
      },
    ]);
    h.expectNoSecrets();
  });

  it("tells the caller of each retry: the status, the wait and when the next attempt starts", async () => {
    const h = await harness({
      faults: {
        abc123de: [
          { kind: "status", status: 429, retryAfter: "7" },
          { kind: "status", status: 503 },
        ],
      },
    });
    const before = Date.now();
    await h.download();
    expect(
      h.retries.map(({ attempt, status, waitMs, serverAskedWait }) => ({
        attempt,
        status,
        waitMs,
        serverAskedWait,
      })),
    ).toEqual([
      { attempt: 1, status: 429, waitMs: 7_000, serverAskedWait: true },
      { attempt: 2, status: 503, waitMs: 4_000, serverAskedWait: false },
    ]);
    const [first] = h.retries;
    expect(first?.at).toBeGreaterThanOrEqual(before);
    expect(first?.nextAttemptAt).toBe((first?.at ?? 0) + 7_000);
    expect(first?.reason).toBe("HTTP 429: Too many requests");
  });

  it("retries 5xx answers with doubling waits, one log line per retry", async () => {
    const statuses = [500, 502, 503, 504];
    const h = await harness({
      faults: { abc123de: statuses.map((status): Fault => ({ kind: "status", status })) },
    });
    await h.download();
    expect(h.fake.requests).toHaveLength(5);
    expect(h.sleeps).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(h.logs.map((l) => l.message)).toEqual(
      statuses.map(
        (status, i) =>
          expect.stringContaining(
            `attempt ${i + 1} failed with HTTP ${status}`,
          ) as unknown as string,
      ),
    );
    h.logs.forEach((l, i) => expect(l.message).toContain(`retry ${i + 1} of 5`));
  });

  it("spreads the waits with the injected random source (jitter)", async () => {
    const h = await harness({
      faults: {
        abc123de: [
          { kind: "status", status: 503 },
          { kind: "status", status: 503 },
        ],
      },
      random: () => 0,
    });
    await h.download();
    expect(h.sleeps).toEqual([1_600, 3_200]);
  });

  it("retries a 408 request timeout", async () => {
    const h = await harness({ faults: { abc123de: [{ kind: "status", status: 408 }] } });
    await h.download();
    expect(h.fake.requests).toHaveLength(2);
  });

  it("honours Retry-After in seconds, and says so", async () => {
    const h = await harness({
      faults: { abc123de: [{ kind: "status", status: 429, retryAfter: "7" }] },
    });
    await h.download();
    expect(h.sleeps).toEqual([7_000]);
    expect(h.logs[0]?.message).toContain("in 7.0 s (as Retry-After asks)");
  });

  it("honours Retry-After as an HTTP date", async () => {
    const retryAfter = new Date(Date.now() + 30_000).toUTCString();
    const h = await harness({
      faults: { abc123de: [{ kind: "status", status: 503, retryAfter }] },
    });
    await h.download();
    expect(h.sleeps).toHaveLength(1);
    expect(h.sleeps[0]).toBeGreaterThan(27_000);
    expect(h.sleeps[0]).toBeLessThanOrEqual(30_000);
  });

  it("caps Retry-After at 10 minutes", async () => {
    const h = await harness({
      faults: { abc123de: [{ kind: "status", status: 429, retryAfter: "86400" }] },
    });
    await h.download();
    expect(h.sleeps).toEqual([600_000]);
  });

  it("gives up after 5 retries with a transient error that says what to do", async () => {
    const h = await harness({
      faults: {
        abc123de: Array.from({ length: 6 }, (): Fault => ({
          kind: "status",
          status: 429,
          details: "Exceeded rate limit with query of cost 1200",
        })),
      },
    });
    const error = await h.failure(h.download());
    expect(error.failureType).toBe("transient_error");
    expect(error.message).toContain(
      "Amplitude gave no answer for chart abc123de: 6 attempts failed",
    );
    expect(error.message).toContain("Exceeded rate limit with query of cost 1200");
    expect(error.message).toContain("max_concurrent_requests");
    expect(error.internalMessage).toContain("/api/3/chart/abc123de/csv");
    expect(h.fake.requests).toHaveLength(6);
    expect(h.sleeps).toEqual([2_000, 4_000, 8_000, 16_000, 32_000]);
    expect(h.logs).toHaveLength(5);
  });
});

describe("a body that cannot be written on this machine", () => {
  it("is not retried as Amplitude's failure: the write error goes up as it is, after one request", async () => {
    const h = await harness();
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
    });
    const writer: BodyWriter = {
      folder: "/full",
      attempt: () =>
        new Writable({
          write: (_chunk, _encoding, done) => done(full),
        }),
      complete: () => Promise.reject(new Error("never complete")),
    };
    await expect(h.client.downloadChart("abc123de", writer)).rejects.toBe(full);
    expect(h.fake.requests).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
    expect(h.logs).toEqual([]);
  });
});

describe("broken transfers", () => {
  it("retry a connection cut mid-body, and the spool holds exactly one copy of the body", async () => {
    const body = envelope(BIG_CSV);
    const h = await harness({
      charts: { big: { csv: BIG_CSV } },
      faults: {
        big: [
          { kind: "cut", afterBytes: Math.floor(body.length / 2) },
          { kind: "cut", afterBytes: 1000 },
        ],
      },
    });
    const chart = await h.download("big");
    const saved = await textOf(chart);
    expect(saved.length).toBe(body.length);
    expect(saved).toBe(body);
    expect(chart.bytes).toBe(Buffer.byteLength(body));
    expect(h.fake.requests).toHaveLength(3);
    expect(h.sleeps).toEqual([2_000, 4_000]);
    for (const log of h.logs) expect(log.message).toContain("a broken transfer");
    h.expectNoSecrets();
  });

  it("retry an attempt that gets no answer within request_timeout_seconds", async () => {
    const h = await harness({
      faults: { abc123de: [{ kind: "hang" }] },
      requestTimeoutMs: 300,
    });
    const chart = await h.download();
    expect(await textOf(chart)).toBe(envelope(CSV));
    expect(h.sleeps).toEqual([2_000]);
    expect(h.logs[0]?.message).toContain(
      "attempt 1 failed with no complete answer within 0.3 s (request_timeout_seconds)",
    );
  });

  it("retry a body that stalls mid-transfer past request_timeout_seconds, keeping one copy", async () => {
    const body = envelope(BIG_CSV);
    const h = await harness({
      charts: { big: { csv: BIG_CSV } },
      faults: { big: [{ kind: "hang-mid-body", afterBytes: Math.floor(body.length / 3) }] },
      requestTimeoutMs: 400,
    });
    const chart = await h.download("big");
    expect(await textOf(chart)).toBe(body);
    expect(chart.bytes).toBe(Buffer.byteLength(body));
    expect(h.fake.requests).toHaveLength(2);
    expect(h.logs).toHaveLength(1);
    expect(h.logs[0]?.message).toContain("within 0.4 s (request_timeout_seconds)");
  });

  it("a huge request_timeout_seconds (meant as no limit) does not time out at once", async () => {
    const { requestTimeoutMs } = parseConfig({
      api_key: API_KEY,
      secret_key: SECRET_KEY,
      chart_ids: ["abc123de"],
      request_timeout_seconds: 10_000_000,
    });
    const h = await harness({ requestTimeoutMs });
    const chart = await h.download();
    expect(await textOf(chart)).toBe(envelope(CSV));
    expect(h.fake.requests).toHaveLength(1);
    expect(h.logs).toEqual([]);
  });

  it("give up with a transient error when every attempt times out", async () => {
    const h = await harness({
      faults: {
        abc123de: Array.from({ length: 6 }, (): Fault => ({ kind: "hang" })),
      },
      requestTimeoutMs: 200,
    });
    const error = await h.failure(h.download());
    expect(error.failureType).toBe("transient_error");
    expect(error.message).toContain(
      "6 attempts failed, the last with no complete answer within 0.2 s",
    );
    expect(h.logs).toHaveLength(5);
  });

  it("retry refused connections, then fail as transient", async () => {
    // A port that was free a moment ago: nothing listens there.
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const h = await harness({ settings: { baseUrl: `http://127.0.0.1:${port}` } });
    const error = await h.failure(h.download());
    expect(error.failureType).toBe("transient_error");
    expect(error.message).toContain("ECONNREFUSED");
    expect(h.sleeps).toHaveLength(5);
    expect(h.logs.every((l) => l.message.includes("ECONNREFUSED"))).toBe(true);
  });

  it("a body that ends early but cleanly is not retried; reading it fails as a system error", async () => {
    const body = envelope(CSV);
    const h = await harness({
      faults: { abc123de: [{ kind: "truncated", keepBytes: Math.floor(body.length / 2) }] },
    });
    const chart = await h.download();
    expect(h.fake.requests).toHaveLength(1);
    await expect(readChartExport(chart)).rejects.toMatchObject({ failureType: "system_error" });
  });
});

describe("answers that are never retried", () => {
  it.each([400, 403, 404])(
    "HTTP %d fails at once as a config error naming the chart",
    async (status) => {
      const h = await harness({
        faults: {
          abc123de: [{ kind: "status", status, message: "Nope", details: "Because" }],
        },
      });
      const error = await h.failure(h.download());
      expect(error.failureType).toBe("config_error");
      expect(error.message).toContain("abc123de");
      expect(error.message).toContain("Nope: Because");
      expect(h.fake.requests).toHaveLength(1);
      expect(h.sleeps).toEqual([]);
      expect(h.logs).toEqual([]);
    },
  );

  it("wrong keys (401) fail at once, pointing at the keys and data_region", async () => {
    const h = await harness({ settings: { apiKey: "wrong-api-key-00000000000000000" } });
    const error = await h.failure(h.download());
    expect(error.failureType).toBe("config_error");
    expect(error.message).toContain("Invalid API key");
    expect(error.message).toContain("data_region");
    expect(error.message).not.toContain("wrong-api-key");
    expect(h.fake.requests).toEqual([expect.objectContaining({ authorized: false })]);
    expect(h.sleeps).toEqual([]);
  });

  it("an unknown chart (404) fails at once and says it was not found", async () => {
    const h = await harness();
    const error = await h.failure(h.download("nochart1"));
    expect(error.failureType).toBe("config_error");
    expect(error.message).toContain("Chart nochart1 was not found");
    expect(h.fake.requests).toHaveLength(1);
  });

  it("a failure after retries is still not retried further", async () => {
    const h = await harness({
      faults: {
        abc123de: [
          { kind: "status", status: 503 },
          { kind: "status", status: 404 },
        ],
      },
    });
    const error = await h.failure(h.download());
    expect(error.failureType).toBe("config_error");
    expect(h.fake.requests).toHaveLength(2);
    expect(h.sleeps).toEqual([2_000]);
  });
});

describe("probing a chart (check)", () => {
  it("returns the beginning of the body and its type", async () => {
    const h = await harness({ charts: { big: { csv: BIG_CSV } } });
    const probe = await h.client.probeChart("big", undefined, 1024);
    expect(probe.contentType).toBe("application/json");
    expect(probe.head.length).toBeLessThanOrEqual(1024);
    expect(envelope(BIG_CSV).startsWith(probe.head)).toBe(true);
  });

  it("retries like a download", async () => {
    const h = await harness({ faults: { abc123de: [{ kind: "status", status: 502 }] } });
    const probe = await h.client.probeChart("abc123de");
    expect(probe.head).toBe(envelope(CSV));
    expect(h.sleeps).toEqual([2_000]);
  });

  it("returns an HTML page as it came (the caller sniffs it)", async () => {
    const h = await harness({ faults: { abc123de: [{ kind: "html" }] } });
    const probe = await h.client.probeChart("abc123de");
    expect(probe.contentType).toBe("text/html");
    expect(probe.head).toMatch(/^<!DOCTYPE html>/);
  });
});

describe("concurrency", () => {
  it("keeps at most max_concurrent_requests requests open at once", async () => {
    const charts: Record<string, FakeChart> = {};
    const faults: Record<string, Fault[]> = {};
    // Each pair of requests is answered only once both are open: with fewer at once the
    // test times out, with more maxActive shows it.
    const pairs = new Barrier(2);
    for (let i = 0; i < 6; i++) {
      charts[`c${i}`] = { csv: CSV };
      faults[`c${i}`] = [{ kind: "barrier", barrier: pairs }];
    }
    const h = await harness({ charts, faults });
    const results = await Promise.all(Object.keys(charts).map((id) => h.download(id)));
    expect(results).toHaveLength(6);
    expect(h.fake.maxActive).toBe(2);
  });
});
