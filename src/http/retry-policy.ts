/** When and how long to wait before trying a chart download again. Data, plus one pure function. */
export interface RetryPolicy {
  maxRetries: number;
  firstDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /** A Retry-After header is honoured up to this long. */
  maxRetryAfterMs: number;
  /** 0.2 spreads each wait over +-20 %, so parallel syncs do not retry in lockstep. */
  jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 5,
  firstDelayMs: 2_000,
  factor: 2,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 10 * 60_000,
  jitter: 0.2,
};

/**
 * The wait before retry number `retry` (1 for the first retry). A Retry-After value
 * wins over the backoff; both are capped. `random` is injectable for tests.
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined)
    return Math.min(Math.max(retryAfterMs, 0), policy.maxRetryAfterMs);
  const backoff = policy.firstDelayMs * policy.factor ** (retry - 1);
  const jittered = backoff * (1 + policy.jitter * (2 * random() - 1));
  return Math.round(Math.min(jittered, policy.maxDelayMs));
}

const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? .*\b\d{2}:\d{2}:\d{2}\b/i;

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Date.parse accepts almost anything ("-5", "1 2"); an HTTP date starts with a day name
  // and holds a time (IMF-fixdate, RFC 850 or asctime). Anything else is ignored.
  if (!HTTP_DATE.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(date - now, 0);
}
