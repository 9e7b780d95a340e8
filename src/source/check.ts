import type { AmplitudeClient } from "../amplitude/client.js";
import { sniffBody } from "../amplitude/response-body.js";
import type { ConnectorConfig } from "../config/config.js";
import { ConnectorError } from "../errors.js";

export type CheckResult =
  { status: "SUCCEEDED"; message: string } | { status: "FAILED"; message: string };

/**
 * Requests every configured chart (max_concurrent_requests at a time) and looks at the
 * start of each answer. Failures Amplitude explains become FAILED with a message per
 * chart; anything unexpected is thrown for the caller to report as a system error.
 */
export async function check(
  config: ConnectorConfig,
  client: AmplitudeClient,
): Promise<CheckResult> {
  const failures: string[] = [];
  const queue = [...config.chartIds];
  const worker = async (): Promise<void> => {
    for (let chartId = queue.shift(); chartId !== undefined; chartId = queue.shift()) {
      try {
        const { head, contentType } = await client.probeChart(chartId);
        sniffBody(chartId, head, undefined, contentType);
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        failures.push(error.message);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(config.maxConcurrentRequests, queue.length) }, worker),
  );

  const n = config.chartIds.length;
  if (failures.length === 0) {
    return {
      status: "SUCCEEDED",
      message: `Amplitude answered for all ${n} chart(s): ${config.chartIds.join(", ")}.`,
    };
  }
  const prefix = n > 1 ? `${failures.length} of ${n} charts failed. ` : "";
  return { status: "FAILED", message: prefix + failures.join(" ") };
}
