import type { SpooledBody } from "../body/spool.js";

/** A chart whose download has ended, with its body or its failure. */
export interface EndedDownload {
  chartId: string;
  body: Promise<SpooledBody>;
}

/**
 * Downloads charts ahead of the streams being written and hands them over in the order
 * their downloads end, so that one chart Amplitude computes slowly holds back none of
 * the others. Downloads start in config order, at most `concurrency` at once; and a chart
 * holds its place from its download's start until its stream is done, at most
 * `concurrency` + 1 at once (the one being written, and as many ahead), so a slow
 * destination bounds the bodies waiting and never holds a connection open.
 */
export class ChartDownloads {
  private readonly notStarted: string[];
  private readonly ended: EndedDownload[] = [];
  private readonly running = new Set<Promise<SpooledBody>>();
  private wake: (() => void) | undefined;
  private inFlight = 0;
  private held = 0;
  private handedOver = 0;

  constructor(
    private readonly chartIds: string[],
    private readonly concurrency: number,
    private readonly download: (chartId: string) => Promise<SpooledBody>,
  ) {
    this.notStarted = [...chartIds];
  }

  /**
   * The charts in the order their downloads end, each released (its body discarded, its
   * place freed) when the loop body that took it is done, or leaves the loop.
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<EndedDownload> {
    for (let ended = await this.next(); ended; ended = await this.next()) {
      try {
        yield ended;
      } finally {
        await this.release(ended);
      }
    }
  }

  /** The next chart whose download has ended; undefined once every chart was handed over. */
  async next(): Promise<EndedDownload | undefined> {
    this.pump();
    while (this.ended.length === 0) {
      if (this.handedOver === this.chartIds.length) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    this.handedOver++;
    return this.ended.shift();
  }

  /**
   * No more downloads start; resolves when those running have ended (the caller stops
   * them, with the signal it gave them) and their bodies are discarded.
   */
  async stop(): Promise<void> {
    this.notStarted.length = 0;
    const running = [...this.running];
    await Promise.all(
      running.map((body) => body.then((done) => done.discard()).catch(() => undefined)),
    );
  }

  /** The caller is done with this chart: its body goes, and its place is free. */
  async release(download: EndedDownload): Promise<void> {
    this.held--;
    this.pump();
    const body = await download.body.catch(() => undefined);
    await body?.discard();
  }

  private pump(): void {
    while (
      this.notStarted.length > 0 &&
      this.inFlight < this.concurrency &&
      this.held < this.concurrency + 1
    ) {
      this.start(this.notStarted.shift() as string);
    }
  }

  private start(chartId: string): void {
    this.inFlight++;
    this.held++;
    const body = this.download(chartId);
    body.catch(() => undefined); // failures are reported to whoever takes the chart
    this.running.add(body);
    const ended = (): void => {
      this.running.delete(body);
      this.inFlight--;
      this.ended.push({ chartId, body });
      this.wake?.();
      this.pump();
    };
    body.then(ended, ended);
  }
}
