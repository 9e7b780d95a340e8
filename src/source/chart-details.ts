import type { DeveloperApi } from "../amplitude/developer-api.js";
import type { RequestHooks } from "../http/http-client.js";
import type { ChartDetails } from "../streams/metadata-stream.js";

/** What to do while the details are fetched: log, and report retries (rate limits). */
export interface DetailsHooks extends RequestHooks {
  log: (level: "INFO" | "WARN", message: string) => Promise<void>;
  deadline?: number;
}

/**
 * Each chart's details from the Developer API (one request per chart, `concurrency` at a
 * time), by chart ID. A chart the API does not know gets `found: false` and a WARN; any
 * other failure (a rejected token, a project it cannot see, retries run out) is thrown:
 * it concerns every chart, and charts_metadata reports it.
 */
export async function chartDetails(
  chartIds: string[],
  developer: DeveloperApi,
  concurrency: number,
  hooks: DetailsHooks,
): Promise<Map<string, ChartDetails>> {
  const details = new Map<string, ChartDetails>();
  const { log, ...requestHooks } = hooks;
  const queue = [...chartIds];
  const worker = async (): Promise<void> => {
    for (let chartId = queue.shift(); chartId !== undefined; chartId = queue.shift()) {
      const chart = await developer.chart(chartId, requestHooks);
      if (chart === undefined) {
        const projectId = await developer.projectId();
        await log(
          "WARN",
          `Chart ${chartId} is not known to Amplitude's Developer API in project ${projectId} (HTTP 404): its filters, ` +
            "type, link and definition are null. Check that project_id is the project that holds the chart.",
        );
        details.set(chartId, { found: false });
        continue;
      }
      if (chart.id !== undefined && chart.id !== chartId) {
        // The chart ID should be the same string in both APIs; say so if it ever is not.
        await log(
          "WARN",
          `Chart ${chartId}: the Developer API answered with the chart ID ${JSON.stringify(chart.id)}; its details are used as they are.`,
        );
      }
      details.set(chartId, { found: true, chart });
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker),
  );
  return details;
}
