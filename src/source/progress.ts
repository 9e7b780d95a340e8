import type { RetryNotice } from "../http/http-client.js";
import type { Log } from "../protocol/messages.js";

/** How often a read that waits on Amplitude says so (contract: at least every 30 s). */
export const PROGRESS_EVERY_MS = 30_000;

interface Wait {
  /** When the chart's download began. */
  since: number;
  /** Set while a retry waits: when the next attempt starts, and why. */
  retry?: { at: number; reason: string };
}

/**
 * While a read waits on Amplitude (a chart computing, a retry's wait), a LOG line every
 * `everyMs` says which charts it waits on and for how long: a person following the sync,
 * and the platform's heartbeat, see it alive. Silent while nothing is awaited.
 */
export class WaitReport {
  private readonly waits = new Map<string, Wait>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly log: Log,
    private readonly everyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    // A timer cannot await the line. Should writing it fail, the line is lost rather than
    // thrown as an unhandled rejection, which would end the process mid-read without an
    // error trace; the read's own next write meets the same failure and reports it.
    this.timer = setInterval(() => {
      this.report().catch(() => undefined);
    }, this.everyMs);
    this.timer.unref(); // never what keeps the process alive
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** An attempt at the chart is in flight. */
  requesting(chartId: string): void {
    const wait = this.waits.get(chartId);
    this.waits.set(chartId, { since: wait?.since ?? this.now() });
  }

  retrying(chartId: string, notice: RetryNotice): void {
    const since = this.waits.get(chartId)?.since ?? this.now();
    this.waits.set(chartId, { since, retry: { at: notice.nextAttemptAt, reason: notice.reason } });
  }

  done(chartId: string): void {
    this.waits.delete(chartId);
  }

  /** The LOG line, or nothing when no chart is awaited. */
  async report(): Promise<void> {
    if (this.waits.size === 0) return;
    const now = this.now();
    const charts = [...this.waits].map(([chartId, wait]) => {
      const total = duration(now - wait.since);
      if (wait.retry === undefined) return `${chartId} (requested ${total} ago, no answer yet)`;
      const next = duration(Math.max(wait.retry.at - now, 0));
      return `${chartId} (waiting to retry after ${wait.retry.reason}; next attempt in ${next}, ${total} since its first request)`;
    });
    await this.log(
      "INFO",
      `Waiting on Amplitude for ${charts.length} chart(s): ${charts.join("; ")}. Amplitude computes a chart when it is asked for; large charts take minutes.`,
    );
  }
}

/** 75 s -> "1 min 15 s". */
function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
}
