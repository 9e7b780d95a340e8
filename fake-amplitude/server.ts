import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { FakeDeveloperApi, type FakeDeveloperApiOptions } from "./developer-api.js";

/**
 * A stand-in for Amplitude's Dashboard REST API on 127.0.0.1: `GET /api/3/chart/{id}/csv`
 * with HTTP Basic auth, answering like the real one (the JSON envelope, JSON error
 * bodies) and, on request, with its faults: error statuses, Retry-After, slow answers,
 * connections cut mid-body, bodies that stall mid-transfer, HTML pages and bodies cut short.
 */
export interface FakeChart {
  /** The CSV text, or a generator of CSV chunks for large charts. */
  csv: string | (() => Iterable<string>);
  /** Send raw `text/csv` instead of the `{"data": ...}` envelope. */
  raw?: boolean;
}

export type Fault =
  | { kind: "status"; status: number; message?: string; details?: string; retryAfter?: string }
  | { kind: "slow"; delayMs: number }
  /** Never answers (until the client gives up and closes the connection). */
  | { kind: "hang" }
  /** Sends `afterBytes` of the body, then nothing more. */
  | { kind: "hang-mid-body"; afterBytes: number }
  /** Answers once `barrier` has as many requests waiting as it was made for. */
  | { kind: "barrier"; barrier: Barrier }
  /** Answers once `until()` (called when the request arrives) has settled. */
  | { kind: "wait"; until: () => Promise<unknown> }
  | { kind: "cut"; afterBytes: number }
  /** Sends `afterBytes` of the body, pauses `delayMs`, then sends the rest. */
  | { kind: "stall"; afterBytes: number; delayMs: number }
  | { kind: "html" }
  /** Answers 200 with this body as it is (e.g. JSON that is not the envelope). */
  | { kind: "body"; contentType: string; body: string }
  | { kind: "truncated"; keepBytes: number };

export interface FakeAmplitudeOptions {
  apiKey: string;
  secretKey: string;
  charts: Record<string, FakeChart>;
  /** Faults per chart, used one per request, in order; then the chart answers normally. */
  faults?: Record<string, Fault[]>;
  /** Also serve the Developer API (`/v1/...`) on the same port. */
  developerApi?: FakeDeveloperApiOptions;
}

export interface RecordedRequest {
  chartId: string;
  authorized: boolean;
  at: number;
}

const ERROR_TYPES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  429: "too_many_requests",
  500: "internal_server_error",
  503: "service_unavailable",
  504: "gateway_timeout",
};

export class FakeAmplitude {
  readonly requests: RecordedRequest[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private active = 0;
  maxActive = 0;
  private readonly servedCharts = new Map<
    string,
    { promise: Promise<void>; resolve: () => void }
  >();

  /** The Developer API's half, when the options ask for it. */
  readonly developerApi: FakeDeveloperApi | undefined;

  constructor(private readonly options: FakeAmplitudeOptions) {
    this.developerApi = options.developerApi
      ? new FakeDeveloperApi(options.developerApi)
      : undefined;
  }

  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject); // e.g. EADDRINUSE: the port is taken
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    return this.baseUrl;
  }

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error("the fake Amplitude is not started");
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** Replaces a chart's export: a saved chart's rolling window moves from day to day. */
  setChart(chartId: string, chart: FakeChart): void {
    this.options.charts[chartId] = chart;
  }

  requestsFor(chartId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.chartId === chartId);
  }

  /** Settles once a 200 answer for the chart has been sent whole. */
  served(chartId: string): Promise<void> {
    let entry = this.servedCharts.get(chartId);
    if (!entry) {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      entry = { promise, resolve };
      this.servedCharts.set(chartId, entry);
    }
    return entry.promise;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.developerApi?.handle(req, res)) return;
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    res.on("close", () => this.active--);
    const match = /^\/api\/3\/chart\/([^/]+)\/csv$/.exec(
      new URL(req.url ?? "/", "http://x").pathname,
    );
    if (req.method !== "GET" || !match) {
      res
        .writeHead(404, { "content-type": "text/html" })
        .end("<html><body>Not Found</body></html>");
      return;
    }
    const chartId = decodeURIComponent(match[1] ?? "");
    const expected = `Basic ${Buffer.from(`${this.options.apiKey}:${this.options.secretKey}`).toString("base64")}`;
    const authorized = req.headers.authorization === expected;
    this.requests.push({ chartId, authorized, at: Date.now() });

    if (!authorized) {
      sendError(res, 401, "Invalid API key", "Invalid Api-Key or Secret-Key provided.");
      return;
    }
    const fault = this.options.faults?.[chartId]?.shift();
    const chart = this.options.charts[chartId];
    if (fault?.kind === "status") {
      const headers: Record<string, string> =
        fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {};
      sendError(
        res,
        fault.status,
        fault.message ?? defaultMessage(fault.status),
        fault.details ?? "",
        headers,
      );
      return;
    }
    if (fault?.kind === "slow") await sleep(fault.delayMs);
    if (fault?.kind === "hang") return;
    if (fault?.kind === "barrier") await fault.barrier.arrive();
    if (fault?.kind === "wait") await fault.until().catch(() => undefined);
    if (fault?.kind === "body") {
      res.writeHead(200, { "content-type": fault.contentType }).end(fault.body);
      return;
    }
    if (fault?.kind === "html") {
      res
        .writeHead(200, { "content-type": "text/html" })
        .end(
          "<!DOCTYPE html><html><head><title>Amplitude</title></head><body>Sign in</body></html>",
        );
      return;
    }
    if (!chart) {
      sendError(res, 404, "Chart not found", `No chart with id ${chartId} in this project.`);
      return;
    }
    const body = bodyOf(chart);
    const contentType = chart.raw ? "text/csv; charset=utf-8" : "application/json";
    if (fault?.kind === "cut") {
      // Announce the whole length, send part of it, then drop the connection.
      const whole = Buffer.from([...body].join(""));
      res.writeHead(200, { "content-type": contentType, "content-length": whole.length });
      res.write(whole.subarray(0, fault.afterBytes), () =>
        setTimeout(() => res.socket?.destroy(), 20),
      );
      return;
    }
    if (fault?.kind === "stall") {
      const whole = Buffer.from([...body].join(""));
      res.writeHead(200, { "content-type": contentType, "content-length": whole.length });
      res.write(whole.subarray(0, fault.afterBytes));
      await sleep(fault.delayMs);
      if (!res.destroyed) res.end(whole.subarray(fault.afterBytes));
      return;
    }
    if (fault?.kind === "hang-mid-body") {
      const whole = Buffer.from([...body].join(""));
      res.writeHead(200, { "content-type": contentType, "content-length": whole.length });
      res.write(whole.subarray(0, fault.afterBytes));
      return;
    }
    if (fault?.kind === "truncated") {
      // A body that ends early but cleanly (no length announced): only parsing can tell.
      const whole = Buffer.from([...body].join(""));
      res.writeHead(200, { "content-type": contentType });
      res.end(whole.subarray(0, fault.keepBytes));
      return;
    }
    res.writeHead(200, { "content-type": contentType });
    for (const chunk of body) {
      if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve));
      if (res.destroyed) return;
    }
    res.end(() => {
      void this.served(chartId);
      this.servedCharts.get(chartId)?.resolve();
    });
  }
}

function* bodyOf(chart: FakeChart): Iterable<string> {
  const chunks = typeof chart.csv === "string" ? [chart.csv] : chart.csv();
  if (chart.raw) {
    yield* chunks;
    return;
  }
  yield '{"data":"';
  let pending = "";
  for (const chunk of chunks) {
    pending += JSON.stringify(chunk).slice(1, -1);
    if (pending.length >= 1 << 16) {
      yield pending;
      pending = "";
    }
  }
  yield pending + '"}';
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  details: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({
    error: {
      http_code: status,
      type: ERROR_TYPES[status] ?? "error",
      message,
      metadata: { details },
    },
  });
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(body);
}

function defaultMessage(status: number): string {
  if (status === 429) return "Too many requests";
  if (status >= 500) return "Internal server error";
  return "Request failed";
}

/**
 * Holds requests until `parties` of them wait at it, then lets them all go, and starts
 * over for the next `parties`. A test that needs requests to overlap uses it instead of
 * slow answers, so that it does not depend on the machine's speed: if the client never
 * has `parties` requests open at once, they wait for ever and the test times out.
 */
export class Barrier {
  private waiting: (() => void)[] = [];

  constructor(private readonly parties: number) {}

  arrive(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length >= this.parties) {
        for (const release of this.waiting.splice(0)) release();
      }
    });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
