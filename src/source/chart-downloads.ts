import { rm } from "node:fs/promises";
import type { SpooledChart } from "../amplitude/client.js";

/**
 * Downloads charts ahead of the one being emitted, in config order: at most
 * `concurrency` requests at once, and at most `concurrency` finished bodies waiting on
 * disk, so a slow destination bounds the disk used and never holds a connection open.
 */
export class ChartDownloads {
  private readonly started = new Map<string, Promise<SpooledChart>>();
  private active = 0;
  private nextIndex = 0;
  private released = 0;

  constructor(
    private readonly chartIds: string[],
    private readonly concurrency: number,
    private readonly download: (chartId: string, index: number) => Promise<SpooledChart>,
  ) {}

  /** The chart's spooled body, once its download has finished. */
  get(chartId: string): Promise<SpooledChart> {
    this.pump();
    const pending = this.started.get(chartId);
    if (pending) return pending;
    // Not reached through the window (a caller out of order): start it now.
    return this.start(chartId, this.chartIds.indexOf(chartId));
  }

  /** The caller is done with this chart: its file goes, and the window moves on. */
  async release(chartId: string): Promise<void> {
    this.released++;
    this.pump();
    const spooled = await this.started.get(chartId)?.catch(() => undefined);
    if (spooled) await rm(spooled.path, { force: true });
  }

  private pump(): void {
    while (
      this.active < this.concurrency &&
      this.nextIndex < this.chartIds.length &&
      this.nextIndex < this.released + 1 + this.concurrency
    ) {
      const index = this.nextIndex++;
      const chartId = this.chartIds[index] as string;
      if (!this.started.has(chartId)) void this.start(chartId, index);
    }
  }

  private start(chartId: string, index: number): Promise<SpooledChart> {
    this.active++;
    const pending = this.download(chartId, index).finally(() => {
      this.active--;
      this.pump();
    });
    pending.catch(() => undefined); // failures are reported to whoever calls get()
    this.started.set(chartId, pending);
    return pending;
  }
}
