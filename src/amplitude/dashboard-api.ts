import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from "./undici.js";
import { isLoopback, type ConnectorConfig } from "../config/config.js";
import { ConnectorError } from "../errors.js";
import { classifyStatus, describeNetworkError, type ChartContext } from "./http-errors.js";
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryDelayMs,
  type RetryPolicy,
} from "./retry-policy.js";

export type Logger = (level: "INFO" | "WARN", message: string) => Promise<void>;

export interface ClientOptions {
  policy?: RetryPolicy;
  /** Waits between retries; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log: Logger;
}

/** A chart's body, saved whole to a file by one successful attempt. */
export interface SpooledChart {
  chartId: string;
  path: string;
  bytes: number;
  contentType: string;
  elapsedMs: number;
}

/** An attempt that failed in a way worth trying again. */
class RetryableFailure extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterMs?: number,
  ) {
    super(reason);
  }
}

/**
 * Talks to Amplitude's Dashboard REST API: one GET per chart, HTTP Basic auth, a pooled
 * keep-alive agent (through HTTPS_PROXY/NO_PROXY when set). Each attempt is bounded by
 * request_timeout_seconds; failures are classified once, here, and retried per the policy.
 * The body goes to a file before anyone parses it, so a retry never replays records.
 */
export class AmplitudeClient {
  private readonly dispatcher: Dispatcher;
  private readonly authorization: string;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    private readonly config: ConnectorConfig,
    private readonly options: ClientOptions,
  ) {
    const credentials = Buffer.from(`${config.apiKey}:${config.secretKey}`).toString("base64");
    this.authorization = `Basic ${credentials}`;
    this.policy = options.policy ?? DEFAULT_RETRY_POLICY;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    const agentOptions = {
      connections: config.maxConcurrentRequests,
      keepAliveTimeout: 30_000,
      connect: { timeout: Math.min(config.requestTimeoutMs, 30_000) },
    };
    // A loopback test server is never reached through a proxy.
    this.dispatcher = isLoopback(new URL(config.baseUrl).hostname)
      ? new Agent(agentOptions)
      : new EnvHttpProxyAgent(agentOptions);
  }

  chartUrl(chartId: string): string {
    return `${this.config.baseUrl}/api/3/chart/${encodeURIComponent(chartId)}/csv`;
  }

  /** Downloads the chart's whole body into `path` (overwritten by each attempt). */
  downloadChart(chartId: string, path: string): Promise<SpooledChart> {
    return this.withRetries(chartId, async (body, contentType, started) => {
      await pipeline(body, createWriteStream(path));
      const { size } = await stat(path);
      return { chartId, path, bytes: size, contentType, elapsedMs: Date.now() - started };
    });
  }

  /** Asks for the chart and returns the first bytes of its body (for check). */
  probeChart(
    chartId: string,
    maxBytes = 64 * 1024,
  ): Promise<{ head: string; contentType: string }> {
    return this.withRetries(chartId, async (body, contentType) => ({
      head: await readSome(body, maxBytes),
      contentType,
    }));
  }

  /**
   * Ends the pool. A command that finished normally has nothing in flight; one that
   * failed part-way may still have downloads running ahead, which are abandoned.
   */
  async close(): Promise<void> {
    await this.dispatcher.destroy();
  }

  private async withRetries<T>(
    chartId: string,
    onBody: (body: Readable, contentType: string, started: number) => Promise<T>,
  ): Promise<T> {
    const ctx: ChartContext = {
      chartId,
      region: this.config.dataRegion,
      url: this.chartUrl(chartId),
    };
    for (let retry = 0; ; retry++) {
      try {
        return await this.attempt(ctx, onBody);
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        if (retry >= this.policy.maxRetries) {
          throw new ConnectorError(
            "transient_error",
            `Chart ${chartId} could not be downloaded: ${retry + 1} attempts failed, the last with ${error.reason}. ` +
              whatToDo(error.reason, ctx.url),
            { internalMessage: `GET ${ctx.url}: ${error.reason}` },
          );
        }
        const wait = retryDelayMs(retry + 1, error.retryAfterMs, this.policy, this.random);
        const why = error.retryAfterMs !== undefined ? " (as Retry-After asks)" : "";
        await this.options.log(
          "WARN",
          `Chart ${chartId}: attempt ${retry + 1} failed with ${error.reason}; retry ${retry + 1} of ${this.policy.maxRetries} in ${(wait / 1000).toFixed(1)} s${why}.`,
        );
        await this.sleep(wait);
      }
    }
  }

  private async attempt<T>(
    ctx: ChartContext,
    onBody: (body: Readable, contentType: string, started: number) => Promise<T>,
  ): Promise<T> {
    const timeoutMs = this.config.requestTimeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = Date.now();
    const timedOut = (): string =>
      `no complete answer within ${timeoutMs / 1000} s (request_timeout_seconds)`;
    try {
      let response: Dispatcher.ResponseData;
      try {
        const url = new URL(ctx.url);
        response = await request(this.dispatcher, {
          origin: url.origin,
          path: url.pathname + url.search,
          method: "GET",
          headers: { authorization: this.authorization, accept: "application/json, text/csv" },
          signal: controller.signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
      } catch (error) {
        throw new RetryableFailure(
          controller.signal.aborted ? timedOut() : describeNetworkError(error),
        );
      }
      const contentType = headerValue(response.headers["content-type"]) ?? "";
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = await readSome(response.body, 16 * 1024).catch(() => "");
        const outcome = classifyStatus(response.statusCode, text, ctx);
        if (outcome.kind === "fail") throw outcome.error;
        throw new RetryableFailure(
          outcome.reason,
          parseRetryAfter(headerValue(response.headers["retry-after"])),
        );
      }
      try {
        return await onBody(response.body, contentType, started);
      } catch (error) {
        if (error instanceof ConnectorError) throw error;
        throw new RetryableFailure(
          controller.signal.aborted
            ? timedOut()
            : `a broken transfer (${describeNetworkError(error)})`,
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

const UNREACHABLE =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)\b/;

/** The advice after retries ran out: a host we never reached is not Amplitude being busy. */
function whatToDo(reason: string, url: string): string {
  if (UNREACHABLE.test(reason)) {
    return `Nothing answered at ${new URL(url).host}: check base_url (or data_region), the network, and HTTPS_PROXY/NO_PROXY.`;
  }
  return (
    "Amplitude may be busy or over its limits (5 concurrent requests per project, an hourly query cost budget): " +
    "run the sync again later, or lower max_concurrent_requests."
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The first `maxBytes` of a body; leaving the loop early destroys the rest. */
async function readSome(body: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) break;
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, maxBytes);
}
