import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryDelayMs,
} from "../../src/http/retry-policy.js";
import { seededRandom } from "./support.js";

const policy = DEFAULT_RETRY_POLICY;
const middle = (): number => 0.5; // no jitter

describe("backoff between retries", () => {
  it("waits about 2 s before the first retry, then doubles", () => {
    expect([1, 2, 3, 4, 5].map((retry) => retryDelayMs(retry, undefined, policy, middle))).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000,
    ]);
  });

  it("caps each wait at 60 s", () => {
    expect(retryDelayMs(6, undefined, policy, middle)).toBe(60_000);
    expect(retryDelayMs(20, undefined, policy, middle)).toBe(60_000);
    expect(retryDelayMs(6, undefined, policy, () => 0.9999)).toBe(60_000);
  });

  it("spreads each wait over +-20 % with jitter", () => {
    expect(retryDelayMs(1, undefined, policy, () => 0)).toBe(1_600);
    expect(retryDelayMs(1, undefined, policy, () => 0.9999)).toBeCloseTo(2_400, -1);
    const random = seededRandom(7);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      for (let retry = 1; retry <= 5; retry++) {
        const base = 2_000 * 2 ** (retry - 1);
        const wait = retryDelayMs(retry, undefined, policy, random);
        expect(wait).toBeGreaterThanOrEqual(base * 0.8);
        expect(wait).toBeLessThanOrEqual(base * 1.2);
        if (retry === 1) seen.add(wait);
      }
    }
    expect(seen.size).toBeGreaterThan(100); // parallel syncs do not retry in lockstep
  });

  it("uses Math.random when no random source is given", () => {
    const wait = retryDelayMs(1, undefined, policy);
    expect(wait).toBeGreaterThanOrEqual(1_600);
    expect(wait).toBeLessThanOrEqual(2_400);
  });
});

describe("Retry-After", () => {
  it("wins over the backoff, without jitter", () => {
    expect(retryDelayMs(1, 5_000, policy, () => 0)).toBe(5_000);
    expect(retryDelayMs(4, 1_000, policy, () => 0.9)).toBe(1_000);
    expect(retryDelayMs(1, 0, policy, middle)).toBe(0);
  });

  it("may ask for more than the 60 s backoff cap, up to 10 minutes", () => {
    expect(retryDelayMs(1, 120_000, policy, middle)).toBe(120_000);
    expect(retryDelayMs(1, 600_000, policy, middle)).toBe(600_000);
    expect(retryDelayMs(1, 3_600_000, policy, middle)).toBe(600_000);
  });

  it("is read as delta-seconds", () => {
    expect(parseRetryAfter("120")).toBe(120_000);
    expect(parseRetryAfter(" 7 ")).toBe(7_000);
    expect(parseRetryAfter("0")).toBe(0);
    expect(parseRetryAfter("1.5")).toBe(1_500);
  });

  it("is read as an HTTP date, relative to now", () => {
    const now = Date.parse("2026-06-01T12:00:00Z");
    expect(parseRetryAfter("Mon, 01 Jun 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Mon, 01 Jun 2026 13:00:00 GMT", now)).toBe(3_600_000);
    expect(parseRetryAfter("Monday, 01-Jun-26 12:01:00 GMT", now)).toBe(60_000);
  });

  it("in the past means: retry now", () => {
    const now = Date.parse("2026-06-01T12:00:00Z");
    expect(parseRetryAfter("Mon, 01 Jun 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("that is absent or unreadable is ignored (the backoff applies)", () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    for (const value of ["", "soon", "5 seconds", "-5", "1 2", "Mon 1 2", "12abc"]) {
      expect(parseRetryAfter(value), JSON.stringify(value)).toBeUndefined();
    }
  });
});
