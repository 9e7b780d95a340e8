import { pipeline } from "node:stream/promises";
import type { BodyWriter, SpooledBody } from "../body/spool.js";
import type { DashboardSettings } from "../config/config.js";
import { readSome, type HttpClient, type RequestHooks } from "../http/http-client.js";
import { chartErrorTable } from "./dashboard-api-errors.js";

/**
 * Amplitude's Dashboard REST API: one `GET /api/3/chart/{id}/csv` per chart, HTTP Basic
 * auth with the project's keys. What its answers mean is in dashboard-api-errors.ts.
 */
export class DashboardApi {
  private readonly authorization: string;

  constructor(
    private readonly settings: DashboardSettings,
    private readonly http: HttpClient,
  ) {
    const credentials = Buffer.from(`${settings.apiKey}:${settings.secretKey}`).toString("base64");
    this.authorization = `Basic ${credentials}`;
  }

  chartUrl(chartId: string): string {
    return `${this.settings.baseUrl}/api/3/chart/${encodeURIComponent(chartId)}/csv`;
  }

  /** Downloads the chart's whole body into `writer`; retried attempts start it over. */
  downloadChart(
    chartId: string,
    writer: BodyWriter,
    hooks: RequestHooks = {},
  ): Promise<SpooledBody> {
    return this.http.get(
      { ...this.request(chartId), ...hooks },
      async ({ body, contentType, startedAt }) => {
        await pipeline(body, writer.attempt());
        return writer.complete({ contentType, elapsedMs: Date.now() - startedAt });
      },
    );
  }

  /** Asks for the chart and returns the first bytes of its body (for check), by `deadline`. */
  probeChart(
    chartId: string,
    deadline?: number,
    maxBytes = 64 * 1024,
  ): Promise<{ head: string; contentType: string }> {
    const request = { ...this.request(chartId), ...(deadline !== undefined && { deadline }) };
    return this.http.get(request, async ({ body, contentType }) => ({
      head: await readSome(body, maxBytes),
      contentType,
    }));
  }

  private request(chartId: string) {
    const url = this.chartUrl(chartId);
    return {
      url,
      headers: { authorization: this.authorization, accept: "application/json, text/csv" },
      label: `Chart ${chartId}`,
      table: chartErrorTable({
        chartId,
        region: this.settings.dataRegion,
        url,
        ...(this.settings.baseUrlGiven && { baseUrl: this.settings.baseUrl }),
      }),
    };
  }
}
