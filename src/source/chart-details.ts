import type { DeveloperApi } from "../amplitude/developer-api.js";
import type { RequestHooks } from "../http/http-client.js";
import type { Log } from "../protocol/messages.js";
import type { ChartDetails } from "../streams/metadata-stream.js";
import { eachConcurrently } from "./concurrently.js";

/** What to do while the details are fetched: log, report retries (rate limits), stop in time. */
export interface DetailsHooks extends RequestHooks {
  log: Log;
  deadline?: number;
}

/**
 * Each chart's details from the Developer API (one request per chart, `concurrency` at a
 * time), by chart ID. A chart the API does not know gets `found: false` and a WARN; any
 * other failure (a rejected token, a project it cannot see, retries run out) is thrown:
 * it concerns every chart, and charts_metadata (or check) reports it.
 */
export async function chartDetails(
  chartIds: string[],
  developer: DeveloperApi,
  concurrency: number,
  hooks: DetailsHooks,
): Promise<Map<string, ChartDetails>> {
  const details = new Map<string, ChartDetails>();
  const { log, ...requestHooks } = hooks;
  await eachConcurrently(chartIds, concurrency, async (chartId) => {
    const chart = await developer.chart(chartId, requestHooks);
    if (chart === undefined) {
      const projectId = await developer.projectId();
      await log(
        "WARN",
        `Chart ${chartId} is not known to Amplitude's Developer API in project ${projectId} (HTTP 404): its filters, ` +
          "type, link and definition are null. Check that project_id is the project that holds the chart.",
      );
      details.set(chartId, { found: false });
      return;
    }
    if (chart.id !== undefined && chart.id !== chartId) {
      // The chart ID should be the same string in both APIs; say so if it ever is not.
      await log(
        "WARN",
        `Chart ${chartId}: the Developer API answered with the chart ID ${JSON.stringify(chart.id)}; its details are used as they are.`,
      );
    }
    details.set(chartId, { found: true, chart });
  });
  return details;
}
