import type { SpooledBody } from "../body/spool.js";

/**
 * Downloads charts ahead of the one being emitted, in config order: at most
 * `concurrency` requests at once, and at most `concurrency` finished bodies waiting,
 * so a slow destination bounds the space used and never holds a connection open.
 */
export class ChartDownloads {
  private readonly started = new Map<string, Promise<SpooledBody>>();
  private active = 0;
  private nextIndex = 0;
  private released = 0;

  constructor(
    private readonly chartIds: string[],
    private readonly concurrency: number,
    private readonly download: (chartId: string) => Promise<SpooledBody>,
  ) {}

  /** The chart's spooled body, once its download has finished. */
  get(chartId: string): Promise<SpooledBody> {
    this.pump();
    return this.started.get(chartId) ?? this.start(chartId);
  }

  /** The caller is done with this chart: its body goes, and the window moves on. */
  async release(chartId: string): Promise<void> {
    this.released++;
    this.pump();
    const body = await this.started.get(chartId)?.catch(() => undefined);
    await body?.discard();
  }

  private pump(): void {
    while (
      this.active < this.concurrency &&
      this.nextIndex < this.chartIds.length &&
      this.nextIndex < this.released + 1 + this.concurrency
    ) {
      const chartId = this.chartIds[this.nextIndex++] as string;
      if (!this.started.has(chartId)) void this.start(chartId);
    }
  }

  private start(chartId: string): Promise<SpooledBody> {
    this.active++;
    const pending = this.download(chartId).finally(() => {
      this.active--;
      this.pump();
    });
    pending.catch(() => undefined); // failures are reported to whoever calls get()
    this.started.set(chartId, pending);
    return pending;
  }
}
