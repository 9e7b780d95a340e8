import type { Amplitude } from "../amplitude/connect.js";
import { explainBodyError, UnusableBody } from "../body/body-errors.js";
import { sniffBody } from "../body/body-format.js";
import { parseConfig, type ConnectorConfig } from "../config/config.js";
import { ConnectorError } from "../errors.js";
import type { DeveloperApi } from "../amplitude/developer-api.js";
import { NoAnswerInTime } from "../http/http-client.js";
import { chartDetails } from "./chart-details.js";

export type CheckResult = { status: "SUCCEEDED" | "FAILED"; message: string };

/**
 * check answers within 30 s whatever happens (Airbyte's connection test, and a user at
 * the UI's Test button, wait that long): every chart's answer must come by this time.
 */
export const CHECK_DEADLINE_MS = 20_000;

/**
 * Validates the config, then requests every chart. A config the spec rejects is FAILED
 * too (exit 0), as the platform expects of check; the clients are made only for a valid
 * config, and closed here.
 */
export async function checkConnection(
  raw: unknown,
  connect: (config: ConnectorConfig) => Amplitude,
  log: (level: "INFO" | "WARN", message: string) => Promise<void>,
  deadlineMs = CHECK_DEADLINE_MS,
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
    const deadline = Date.now() + deadlineMs;
    const [charts, details] = await Promise.all([
      checkCharts(config, amplitude, deadline, deadlineMs),
      amplitude.developer
        ? checkDetails(config, amplitude.developer, deadline, deadlineMs, log)
        : Promise.resolve(undefined),
    ]);
    if (details?.status === "FAILED") {
      return charts.status === "FAILED"
        ? { status: "FAILED", message: `${charts.message} ${details.message}` }
        : details;
    }
    return details
      ? { status: charts.status, message: `${charts.message} ${details.message}` }
      : charts;
  } finally {
    await amplitude.close();
  }
}

/**
 * Requests every configured chart (max_concurrent_requests at a time) and looks at the
 * start of each answer. Failures Amplitude explains become FAILED with a message per
 * chart, in config order. A chart Amplitude is still computing at the deadline is not a
 * failure (wrong keys and unknown charts are refused at once): the message says its data
 * was not seen. Anything unexpected is thrown, as a system error.
 */
async function checkCharts(
  config: ConnectorConfig,
  amplitude: Amplitude,
  deadline: number,
  deadlineMs: number,
): Promise<CheckResult> {
  const failures: (string | undefined)[] = [];
  const unseen: (string | undefined)[] = [];
  const queue = config.chartIds.map((chartId, index) => ({ chartId, index }));
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        await checkChart(item.chartId, amplitude, deadline);
      } catch (error) {
        if (error instanceof NoAnswerInTime) unseen[item.index] = item.chartId;
        else if (error instanceof ConnectorError) failures[item.index] = error.message;
        else throw error;
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(config.maxConcurrentRequests, queue.length) }, worker),
  );

  const failed = failures.filter((message): message is string => message !== undefined);
  const pending = unseen.filter((chartId): chartId is string => chartId !== undefined);
  const n = config.chartIds.length;
  if (failed.length > 0) {
    const prefix = n > 1 ? `${failed.length} of ${n} charts failed. ` : "";
    return { status: "FAILED", message: prefix + failed.join(" ") };
  }
  if (pending.length === 0) {
    return {
      status: "SUCCEEDED",
      message: `Amplitude answered for all ${n} chart(s): ${config.chartIds.join(", ")}.`,
    };
  }
  const answered = config.chartIds.filter((id) => !pending.includes(id));
  return {
    status: "SUCCEEDED",
    message:
      (answered.length > 0 ? `Amplitude answered for ${answered.join(", ")}. ` : "") +
      `Chart(s) ${pending.join(", ")} had not answered after ${seconds(deadlineMs)}, the time check has: ` +
      "Amplitude computes a chart when it is asked for, and a large one takes minutes. They were not refused " +
      "(wrong keys and unknown charts are refused at once), but their data was not seen; a read waits up to " +
      "request_timeout_seconds for each.",
  };
}

/**
 * With developer_api_token: each chart's details, as a read will ask for them. A rejected
 * token, a missing scope or a project the token cannot see is FAILED, naming the setting
 * to fix; a chart the API does not know is said (its details will be null), not a failure.
 */
async function checkDetails(
  config: ConnectorConfig,
  developer: DeveloperApi,
  deadline: number,
  deadlineMs: number,
  log: (level: "INFO" | "WARN", message: string) => Promise<void>,
): Promise<CheckResult> {
  try {
    const details = await chartDetails(config.chartIds, developer, config.maxConcurrentRequests, {
      log,
      deadline,
    });
    const unknown = config.chartIds.filter((id) => details.get(id)?.found === false);
    const projectId = await developer.projectId();
    return {
      status: "SUCCEEDED",
      message:
        unknown.length === 0
          ? `The Developer API gave the details of every chart (project ${projectId}).`
          : `The Developer API does not know chart(s) ${unknown.join(", ")} in project ${projectId}: their filters, type and link will be null (check project_id).`,
    };
  } catch (error) {
    if (error instanceof NoAnswerInTime) {
      return {
        status: "SUCCEEDED",
        message: `The Developer API had not answered after ${seconds(deadlineMs)}: the chart details were not seen.`,
      };
    }
    if (error instanceof ConnectorError) return { status: "FAILED", message: error.message };
    throw error;
  }
}

/** One chart's answer: its first bytes must look like chart data. */
async function checkChart(chartId: string, amplitude: Amplitude, deadline: number): Promise<void> {
  const { head, contentType } = await amplitude.dashboard.probeChart(chartId, deadline);
  try {
    const kind = sniffBody(head, undefined);
    // JSON without the envelope's "data" string: an error sent with status 200, or not Amplitude.
    if (kind === "envelope" && !/"data"\s*:\s*"/.test(head)) {
      throw new UnusableBody("json-without-data");
    }
  } catch (error) {
    throw explainBodyError(error, { chartId, contentType, head });
  }
}

/** 20000 -> "20 s"; a test's 150 -> "0.15 s". */
const seconds = (ms: number): string => `${ms / 1000} s`;
