import type { AmplitudeClient } from "../amplitude/client.js";
import { preview } from "../amplitude/http-errors.js";
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
  // Indexed by chart, so the message lists failures in config order whatever finished first.
  const outcomes: (string | undefined)[] = [];
  const queue = config.chartIds.map((chartId, index) => ({ chartId, index }));
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        const { head, contentType } = await client.probeChart(item.chartId);
        const kind = sniffBody(item.chartId, head, undefined, contentType);
        if (kind === "envelope" && !/"data"\s*:\s*"/.test(head)) {
          // JSON without the envelope's "data" string: an error sent with status 200, or not Amplitude.
          throw new ConnectorError(
            "system_error",
            `Amplitude's answer for chart ${item.chartId} is JSON without chart data: ${preview(head)}. ` +
              "If base_url is set, check that it points at Amplitude's Dashboard REST API.",
          );
        }
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        outcomes[item.index] = error.message;
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(config.maxConcurrentRequests, queue.length) }, worker),
  );

  const failures = outcomes.filter((message): message is string => message !== undefined);
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
