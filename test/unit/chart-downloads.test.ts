import { describe, expect, it } from "vitest";
import type { SpooledBody } from "../../src/body/spool.js";
import { ChartDownloads, type EndedDownload } from "../../src/source/chart-downloads.js";

/** Downloads that end when the test says so; counts what runs at once. */
class ManualDownloads {
  readonly started: string[] = [];
  readonly discarded: string[] = [];
  maxInFlight = 0;
  private readonly running = new Map<string, (fail?: Error) => void>();

  readonly download = (chartId: string): Promise<SpooledBody> => {
    this.started.push(chartId);
    return new Promise((resolve, reject) => {
      this.running.set(chartId, (fail) => {
        this.running.delete(chartId);
        if (fail) reject(fail);
        else
          resolve({
            chartId,
            discard: async () => void this.discarded.push(chartId),
          } as SpooledBody);
      });
      this.maxInFlight = Math.max(this.maxInFlight, this.running.size);
    });
  };

  end(chartId: string, fail?: Error): void {
    const finish = this.running.get(chartId);
    if (!finish) throw new Error(`${chartId} is not downloading`);
    finish(fail);
  }

  endAll(): void {
    for (const chartId of [...this.running.keys()]) this.end(chartId);
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("chart downloads", () => {
  it("start in config order, at most `concurrency` at once, and are handed over as they end", async () => {
    const manual = new ManualDownloads();
    const downloads = new ChartDownloads(["a", "b", "c", "d"], 2, manual.download);
    const first = downloads.next();
    await tick();
    expect(manual.started).toEqual(["a", "b"]);
    manual.end("b");
    const b = await first;
    expect(b?.chartId).toBe("b");
    await tick();
    // b is being written, a downloads: a slot is free, so c starts.
    expect(manual.started).toEqual(["a", "b", "c"]);
    manual.end("c");
    manual.end("a");
    await tick();
    // a and c wait while b is written: 3 charts held, so d waits for b to be done.
    expect(manual.started).toEqual(["a", "b", "c"]);
    await downloads.release(b as EndedDownload);
    expect(manual.discarded).toEqual(["b"]);
    expect(manual.started).toEqual(["a", "b", "c", "d"]);
    expect((await downloads.next())?.chartId).toBe("c");
    expect((await downloads.next())?.chartId).toBe("a");
    manual.end("d", new Error("HTTP 404"));
    const d = await downloads.next();
    expect(d?.chartId).toBe("d");
    await expect(d?.body).rejects.toThrow("HTTP 404");
    expect(await downloads.next()).toBeUndefined();
    expect(manual.maxInFlight).toBe(2);
  });

  it("hold at most concurrency + 1 charts while the stream being written is slow", async () => {
    const manual = new ManualDownloads();
    const ids = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const downloads = new ChartDownloads(ids, 3, manual.download);
    // The consumer takes charts as they end and releases none (a destination that stalls).
    const taken: EndedDownload[] = [];
    for (let i = 0; i < 4; i++) {
      const next = downloads.next();
      await tick();
      manual.endAll();
      taken.push((await next) as EndedDownload);
      await tick();
    }
    expect(manual.started).toEqual(["c0", "c1", "c2", "c3"]);
    expect(taken.map((t) => t.chartId)).toEqual(["c0", "c1", "c2", "c3"]);
    // Each release lets one more start.
    await downloads.release(taken[0] as EndedDownload);
    expect(manual.started).toHaveLength(5);
    expect(manual.discarded).toEqual(["c0"]);
  });
});
