import type { Readable } from "node:stream";
import { ConnectorError } from "../errors.js";
import { parseRetryAfter, retryDelayMs, type RetryPolicy } from "./retry-policy.js";
import type { Log } from "../protocol/messages.js";
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from "./undici.js";

/**
 * What an API's answers mean: one table per API (the Dashboard REST API's, the Developer
 * API's), consulted here, at the HTTP boundary, and nowhere else.
 */
export interface ErrorTable {
  /** An answer other than 2xx: fail now, or try again (after `retryAfterMs`, if the API says). */
  status(status: number, body: string): StatusOutcome;
  /** The user's error when every attempt failed; `unreachable` when no attempt reached a server. */
  exhausted(attempts: number, lastReason: string, unreachable: boolean): ConnectorError;
}

export type StatusOutcome =
  /** Not retried: usually a ConnectorError for the user; an API may signal an answer it handles. */
  { kind: "fail"; error: Error } | { kind: "retry"; reason: string; retryAfterMs?: number };

/**
 * The table's "fail now" for one answer: a ConnectorError for the user (config_error unless
 * said otherwise): what happened, what to do, and the request and what the server said as
 * its internal message.
 */
export function failNow(url: string, answer: string) {
  return (
    problem: string,
    advice: string,
    failureType: "config_error" | "system_error" = "config_error",
  ): StatusOutcome => ({
    kind: "fail",
    error: new ConnectorError(failureType, problem, {
      advice,
      internalMessage: `GET ${url} -> ${answer}`,
    }),
  });
}

/** A retry about to wait, as the caller may want to report it (a rate limit shown to the platform). */
export interface RetryNotice {
  attempt: number;
  reason: string;
  /** The HTTP status that caused it; undefined for network failures and timeouts. */
  status: number | undefined;
  waitMs: number;
  /** Epoch ms when the wait starts, and of the next attempt (`at` + `waitMs`). */
  at: number;
  nextAttemptAt: number;
  /** The server said how long to wait (Retry-After, retry_after_seconds). */
  serverAskedWait: boolean;
}

/** What a caller may want to know while a request is retried (progress, rate-limit statuses). */
export interface RequestHooks {
  /** Stops the request, and its retries, when aborted (the read is stopping). */
  signal?: AbortSignal;
  /** An attempt starts (the first, or a retry after its wait). */
  onAttempt?: (attempt: number) => void;
  /** A retry is about to wait; called after its log line. */
  onRetry?: (notice: RetryNotice) => Promise<void> | void;
}

export interface GetRequest extends RequestHooks {
  url: string;
  headers: Record<string, string>;
  /** Names the request in log lines ("Chart abc123de"). */
  label: string;
  table: ErrorTable;
  /** Epoch ms by which the answer must have come, retries included (check's budget). */
  deadline?: number;
}

/**
 * The deadline came while an attempt was still waiting for its answer (a chart Amplitude
 * is still computing), or before it could start: not a failure of the request.
 */
export class NoAnswerInTime extends Error {
  constructor(readonly label: string) {
    super(`${label}: no answer before the deadline`);
  }
}

export interface Answer {
  body: Readable;
  contentType: string;
  startedAt: number;
}

export interface HttpClientOptions {
  /** Connections per origin. */
  connections: number;
  /** How long a connection may take to open (default: the attempt's timeout, at most 30 s). */
  connectTimeoutMs?: number;
  /** One attempt, from the request to the last byte. */
  timeoutMs: number;
  policy: RetryPolicy;
  log: Log;
  /** Waits between retries, ending early when `signal` aborts; tests pass a fast one. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Stops every request of the command (a signal, stdout closed). */
  signal?: AbortSignal;
  random?: () => number;
  /** Through HTTPS_PROXY/HTTP_PROXY/NO_PROXY; a loopback test server is reached directly. */
  useProxy: boolean;
}

/** An attempt that failed in a way worth trying again. */
class RetryableFailure extends Error {
  constructor(
    readonly reason: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    /** Who asked for that wait, for the log line. */
    readonly askedBy?: string,
    readonly unreachable = false,
  ) {
    super(reason);
  }
}

/**
 * GET with undici on a pooled keep-alive agent: each attempt bounded by the timeout,
 * answers classified by the API's error table, failures retried per the policy. A retry
 * covers one request and its body: `onBody` must consume the body whole (spool it)
 * before the caller parses anything, so that no record is ever replayed.
 */
export class HttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: HttpClientOptions) {
    this.sleep = options.sleep ?? sleep;
    this.random = options.random ?? Math.random;
    const agentOptions = {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs ?? Math.min(options.timeoutMs, 30_000) },
    };
    this.dispatcher = options.useProxy
      ? new EnvHttpProxyAgent(agentOptions)
      : new Agent(agentOptions);
  }

  async get<T>(req: GetRequest, onBody: (answer: Answer) => Promise<T>): Promise<T> {
    const { policy } = this.options;
    const stop = anyOf(this.options.signal, req.signal);
    let unreachable = true;
    let lastReason = "";
    for (let retry = 0; ; retry++) {
      try {
        stop?.throwIfAborted();
        req.onAttempt?.(retry + 1);
        return await this.attempt(req, onBody, stop);
      } catch (error) {
        // Stopped from outside: whatever the attempt ended with, it is not a failure to retry.
        if (stop?.aborted) throw stop.reason;
        // Cut by the deadline after attempts that never reached a server: still unreachable.
        if (error instanceof NoAnswerInTime && retry > 0 && unreachable) {
          throw req.table.exhausted(retry, lastReason, true);
        }
        if (!(error instanceof RetryableFailure)) throw error;
        unreachable &&= error.unreachable;
        lastReason = error.reason;
        const waitMs = retryDelayMs(retry + 1, error.retryAfterMs, policy, this.random);
        const pastDeadline = req.deadline !== undefined && Date.now() + waitMs >= req.deadline;
        if (retry >= policy.maxRetries || pastDeadline) {
          throw req.table.exhausted(retry + 1, error.reason, unreachable);
        }
        const serverAskedWait = error.retryAfterMs !== undefined;
        await this.options.log(
          "WARN",
          `${req.label}: attempt ${retry + 1} failed with ${error.reason}; retry ${retry + 1} of ${policy.maxRetries} in ${(waitMs / 1000).toFixed(1)} s${serverAskedWait ? ` (as ${error.askedBy ?? "the server"} asks)` : ""}.`,
        );
        const at = Date.now();
        await req.onRetry?.({
          attempt: retry + 1,
          reason: error.reason,
          status: error.status,
          waitMs,
          at,
          nextAttemptAt: at + waitMs,
          serverAskedWait,
        });
        await this.sleep(waitMs, stop);
      }
    }
  }

  /** Ends the pool; requests still running (a read that failed part-way) are abandoned. */
  async close(): Promise<void> {
    await this.dispatcher.destroy();
  }

  private async attempt<T>(
    req: GetRequest,
    onBody: (answer: Answer) => Promise<T>,
    stop: AbortSignal | undefined,
  ): Promise<T> {
    const budget = req.deadline === undefined ? Infinity : req.deadline - Date.now();
    if (budget <= 0) throw new NoAnswerInTime(req.label);
    const timeoutMs = Math.min(this.options.timeoutMs, budget);
    const cutByDeadline = (): boolean => timeoutMs < this.options.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const startedAt = Date.now();
    const timedOut = (): string =>
      `no complete answer within ${timeoutMs / 1000} s (request_timeout_seconds)`;
    try {
      let response: Dispatcher.ResponseData;
      try {
        const url = new URL(req.url);
        response = await request(this.dispatcher, {
          origin: url.origin,
          path: url.pathname + url.search,
          method: "GET",
          headers: req.headers,
          signal: stop ? AbortSignal.any([controller.signal, stop]) : controller.signal,
          // Our timer ends the attempt; undici's own are a backstop.
          headersTimeout: this.options.timeoutMs,
          bodyTimeout: this.options.timeoutMs,
        });
      } catch (error) {
        if (controller.signal.aborted && cutByDeadline()) throw new NoAnswerInTime(req.label);
        if (controller.signal.aborted) throw new RetryableFailure(timedOut());
        throw networkFailure(error, describeNetworkError(error));
      }
      const contentType = headerValue(response.headers["content-type"]) ?? "";
      const { statusCode } = response;
      if (statusCode < 200 || statusCode >= 300) {
        const text = await readSome(response.body, 16 * 1024).catch(() => "");
        const outcome = req.table.status(statusCode, text);
        if (outcome.kind === "fail") throw outcome.error;
        const header = parseRetryAfter(headerValue(response.headers["retry-after"]));
        if (outcome.retryAfterMs !== undefined) {
          throw new RetryableFailure(
            outcome.reason,
            statusCode,
            outcome.retryAfterMs,
            "the answer",
          );
        }
        throw new RetryableFailure(outcome.reason, statusCode, header, "Retry-After");
      }
      try {
        return await onBody({ body: response.body, contentType, startedAt });
      } catch (error) {
        if (controller.signal.aborted && cutByDeadline()) throw new NoAnswerInTime(req.label);
        if (controller.signal.aborted) throw new RetryableFailure(timedOut());
        throw networkFailure(error, `a broken transfer (${describeNetworkError(error)})`);
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Exceptions, classified as answers are: by their code, in one table. Only these network
 * failures are tried again (undici's own retry handler keeps the same kind of list); any
 * other exception is not Amplitude's doing, such as a body that could not be written on
 * this machine (ENOSPC, EACCES, EIO), and goes up as it is, never retried as Amplitude's.
 * `unreachable`: no server was reached at all (not Amplitude being busy).
 */
const NETWORK_FAILURES: Record<string, "unreachable" | "broken"> = {
  ECONNREFUSED: "unreachable",
  ENOTFOUND: "unreachable",
  EAI_AGAIN: "unreachable",
  EHOSTUNREACH: "unreachable",
  EHOSTDOWN: "unreachable",
  ENETUNREACH: "unreachable",
  ENETDOWN: "unreachable",
  UND_ERR_CONNECT_TIMEOUT: "unreachable",
  ECONNRESET: "broken",
  ECONNABORTED: "broken",
  EPIPE: "broken",
  ETIMEDOUT: "broken",
  UND_ERR_SOCKET: "broken",
  UND_ERR_CLOSED: "broken",
  UND_ERR_HEADERS_TIMEOUT: "broken",
  UND_ERR_BODY_TIMEOUT: "broken",
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: "broken",
};

/** A network failure to try again; anything else as it is (see NETWORK_FAILURES). */
function networkFailure(error: unknown, reason: string): unknown {
  const codes = [codeOf(error), codeOf((error as { cause?: unknown } | undefined)?.cause)];
  const kind = codes.map((code) => NETWORK_FAILURES[code ?? ""]).find((k) => k !== undefined);
  if (kind === undefined) return error;
  return new RetryableFailure(reason, undefined, undefined, undefined, kind === "unreachable");
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** A wait that ends early, rejecting with the signal's reason, when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** One signal for several (any of them aborts it); undefined for none. */
function anyOf(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const given = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return given.length <= 1 ? given[0] : AbortSignal.any(given);
}

/** A network-level failure (reset, refused, cut body) with its codes, on one line. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const causeCode = (error.cause as { code?: unknown } | undefined)?.code;
  const label = [code, causeCode].filter((c) => typeof c === "string").join("/");
  return label ? `${label}: ${error.message}` : error.message;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The first `maxBytes` of a body; leaving the loop early destroys the rest. */
export async function readSome(body: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) break;
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, maxBytes);
}
