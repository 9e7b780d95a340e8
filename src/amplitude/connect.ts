import { isLoopback, type ConnectorConfig } from "../config/config.js";
import { HttpClient, type Logger } from "../http/http-client.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../http/retry-policy.js";
import { DashboardApi } from "./dashboard-api.js";

/** The Amplitude APIs a command talks to, over one HTTP client. */
export interface Amplitude {
  dashboard: DashboardApi;
  /** Ends the connection pool; call once the command is done. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  log: Logger;
  env: Record<string, string | undefined>;
  policy?: RetryPolicy;
  /** How long a connection may take to open (check: short, so it can try again in time). */
  connectTimeoutMs?: number;
}

/** The clients for a validated config. */
export function connect(config: ConnectorConfig, options: ConnectOptions): Amplitude {
  const factor = retryDelayScale(options.env);
  const http = new HttpClient({
    connections: config.maxConcurrentRequests,
    timeoutMs: config.requestTimeoutMs,
    policy: options.policy ?? DEFAULT_RETRY_POLICY,
    ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
    log: options.log,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms * factor)),
    // A loopback test server is never reached through a proxy.
    useProxy: !isLoopback(new URL(config.baseUrl).hostname),
  });
  return {
    dashboard: new DashboardApi(config, http),
    close: () => http.close(),
  };
}

/** Tests shrink the retry waits (0.001 turns 2 s into 2 ms); users leave it unset. */
function retryDelayScale(env: Record<string, string | undefined>): number {
  const scale = Number(env.SOURCE_AMPLITUDE_CHARTS_RETRY_DELAY_SCALE ?? "1");
  return Number.isFinite(scale) && scale >= 0 ? scale : 1;
}
