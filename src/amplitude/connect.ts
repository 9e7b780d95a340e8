import { isLoopback, type ConnectorConfig } from "../config/config.js";
import { HttpClient, sleep } from "../http/http-client.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../http/retry-policy.js";
import type { Log } from "../protocol/messages.js";
import { DashboardApi } from "./dashboard-api.js";
import { DeveloperApi } from "./developer-api.js";

/** The Amplitude APIs a command talks to. */
export interface Amplitude {
  dashboard: DashboardApi;
  /** With developer_api_token only: the chart details for charts_metadata. */
  developer: DeveloperApi | undefined;
  /** Ends the connection pools; call once the command is done. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  log: Log;
  /** Multiplies every retry wait; tests shrink it. */
  retryDelayScale: number;
  /** read's policy unless given (check has its own budget). */
  policy?: RetryPolicy;
  /** How long a connection may take to open (check: short, so that it can try again in time). */
  connectTimeoutMs?: number;
  /** Stops every request (a signal, stdout closed). */
  signal?: AbortSignal;
}

/** The clients for a validated config: the same HTTP machinery, a pool per API. */
export function connect(config: ConnectorConfig, options: ConnectOptions): Amplitude {
  const httpFor = (baseUrl: string): HttpClient =>
    new HttpClient({
      connections: config.maxConcurrentRequests,
      timeoutMs: config.requestTimeoutMs,
      policy: options.policy ?? DEFAULT_RETRY_POLICY,
      ...(options.connectTimeoutMs !== undefined && {
        connectTimeoutMs: options.connectTimeoutMs,
      }),
      log: options.log,
      sleep: (ms, signal) => sleep(ms * options.retryDelayScale, signal),
      ...(options.signal !== undefined && { signal: options.signal }),
      // A loopback test server is never reached through a proxy.
      useProxy: !isLoopback(new URL(baseUrl).hostname),
    });
  const dashboardHttp = httpFor(config.dashboard.baseUrl);
  const developer = config.developerApi;
  const developerHttp = developer ? httpFor(developer.baseUrl) : undefined;
  return {
    dashboard: new DashboardApi(config.dashboard, dashboardHttp),
    developer: developer && developerHttp ? new DeveloperApi(developer, developerHttp) : undefined,
    close: async () => {
      await Promise.all([dashboardHttp.close(), developerHttp?.close()]);
    },
  };
}
