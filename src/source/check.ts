import type { Amplitude } from "../amplitude/connect.js";
import { explainBodyError, UnusableBody } from "../body/body-errors.js";
import { sniffBody } from "../body/body-format.js";
import { parseConfig, type ConnectorConfig } from "../config/config.js";
import { ConnectorError } from "../errors.js";

export type CheckResult = { status: "SUCCEEDED" | "FAILED"; message: string };

/**
 * Validates the config, then requests every chart. A config the spec rejects is FAILED
 * too (exit 0), as the platform expects of check; the clients are made only for a valid
 * config, and closed here.
 */
export async function checkConnection(
  raw: unknown,
  connect: (config: ConnectorConfig) => Amplitude,
): Promise<CheckResult> {
  let config: ConnectorConfig;
  try {
    config = parseConfig(raw);
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    return { status: "FAILED", message: error.message };
  }
  const amplitude = connect(config);
  try {
    return await checkCharts(config, amplitude);
  } finally {
    await amplitude.close();
  }
}

/**
 * Requests every configured chart (max_concurrent_requests at a time) and looks at the
 * start of each answer. Failures Amplitude explains become FAILED with a message per
 * chart, in config order; anything unexpected is thrown for the caller to report as a
 * system error.
 */
async function checkCharts(config: ConnectorConfig, amplitude: Amplitude): Promise<CheckResult> {
  const outcomes: (string | undefined)[] = [];
  const queue = config.chartIds.map((chartId, index) => ({ chartId, index }));
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        await checkChart(item.chartId, amplitude);
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

/** One chart's answer: its first bytes must look like chart data. */
async function checkChart(chartId: string, amplitude: Amplitude): Promise<void> {
  const { head, contentType } = await amplitude.dashboard.probeChart(chartId);
  try {
    const kind = sniffBody(head, undefined);
    // JSON without the envelope's "data" string: an error sent with status 200, or not Amplitude.
    if (kind === "envelope" && !/"data"\s*:\s*"/.test(head))
      throw new UnusableBody("json-without-data");
  } catch (error) {
    throw explainBodyError(error, { chartId, contentType, head });
  }
}
