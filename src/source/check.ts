import type { Amplitude } from "../amplitude/connect.js";
import type { DeveloperApi } from "../amplitude/developer-api.js";
import { explainBodyError } from "../body/body-errors.js";
import { sniffBody } from "../body/body-format.js";
import { parseConfig, type ConnectorConfig } from "../config/config.js";
import { ConnectorError } from "../errors.js";
import { NoAnswerInTime } from "../http/http-client.js";
import type { RetryPolicy } from "../http/retry-policy.js";
import type { Log } from "../protocol/messages.js";
import { chartDetails } from "./chart-details.js";
import { eachConcurrently } from "./concurrently.js";

export type CheckResult = { status: "SUCCEEDED" | "FAILED"; message: string };

/**
 * check's time, in one place. It answers within 30 s whatever happens (Airbyte's connection
 * test waits that long, and so does a user at the UI's Test button): every answer must have
 * come within 20 s, which leaves 10 s to start and stop the process; its retries are fewer
 * and shorter than read's (a Retry-After is honoured up to 10 s), and a connection must open
 * within 10 s, so that a retry still fits.
 */
export const CHECK_BUDGET: {
  deadlineMs: number;
  connectTimeoutMs: number;
  retryPolicy: RetryPolicy;
} = {
  deadlineMs: 20_000,
  connectTimeoutMs: 10_000,
  retryPolicy: {
    maxRetries: 3,
    firstDelayMs: 1_000,
    factor: 2,
    maxDelayMs: 5_000,
    maxRetryAfterMs: 10_000,
    jitter: 0.2,
  },
};

/** The clients for a valid config, with check's retry policy and connect timeout. */
export type CheckClients = (
  config: ConnectorConfig,
  budget: { policy: RetryPolicy; connectTimeoutMs: number },
) => Amplitude;

/**
 * Validates the config, then requests every chart (and, with a token, each chart's details).
 * A config the spec rejects is FAILED too (exit 0), as the platform expects of check; the
 * clients are made only for a valid config, and closed here. `deadlineMs` is
 * CHECK_BUDGET.deadlineMs unless a test shortens it.
 */
export async function checkConnection(
  raw: unknown,
  clients: CheckClients,
  log: Log,
  deadlineMs: number = CHECK_BUDGET.deadlineMs,
): Promise<CheckResult> {
  let config: ConnectorConfig;
  try {
    config = parseConfig(raw);
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    return { status: "FAILED", message: error.message };
  }
  const amplitude = clients(config, {
    policy: CHECK_BUDGET.retryPolicy,
    connectTimeoutMs: CHECK_BUDGET.connectTimeoutMs,
  });
  const deadline = { at: Date.now() + deadlineMs, ms: deadlineMs };
  try {
    const [charts, details] = await Promise.all([
      checkCharts(config, amplitude, deadline),
      amplitude.developer
        ? checkDetails(config, amplitude.developer, deadline, log)
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

/** When check's answers must have come: an epoch ms, and its length for messages. */
interface Deadline {
  at: number;
  ms: number;
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
  deadline: Deadline,
): Promise<CheckResult> {
  const failures: (ConnectorError | undefined)[] = [];
  const unseen: (string | undefined)[] = [];
  await eachConcurrently(config.chartIds, config.maxConcurrentRequests, async (chartId, index) => {
    try {
      await checkChart(chartId, amplitude, deadline.at);
    } catch (error) {
      if (error instanceof NoAnswerInTime) unseen[index] = chartId;
      else if (error instanceof ConnectorError) failures[index] = error;
      else throw error;
    }
  });

  const failed = failures.filter((error): error is ConnectorError => error !== undefined);
  const pending = unseen.filter((chartId): chartId is string => chartId !== undefined);
  const n = config.chartIds.length;
  if (failed.length > 0) {
    const prefix = n > 1 ? `${failed.length} of ${n} charts failed. ` : "";
    return { status: "FAILED", message: prefix + adviceOnce(failed) };
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
      `Chart(s) ${pending.join(", ")} had not answered after ${seconds(deadline.ms)}, the time check has: ` +
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
  deadline: Deadline,
  log: Log,
): Promise<CheckResult> {
  try {
    const details = await chartDetails(config.chartIds, developer, config.maxConcurrentRequests, {
      log,
      deadline: deadline.at,
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
        message: `The Developer API had not answered after ${seconds(deadline.ms)}: the chart details were not seen.`,
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
    sniffBody(head);
  } catch (error) {
    throw explainBodyError(error, { chartId, contentType, head });
  }
}

/**
 * The failures, in config order, each piece of advice said once: the charts that failed
 * for the same reason (wrong keys fail them all) are named, then what to do about them.
 */
function adviceOnce(failures: ConnectorError[]): string {
  const byAdvice = new Map<string, string[]>();
  for (const { problem, advice } of failures) {
    byAdvice.set(advice ?? "", [...(byAdvice.get(advice ?? "") ?? []), problem]);
  }
  return [...byAdvice]
    .flatMap(([advice, problems]) => (advice === "" ? problems : [...problems, advice]))
    .join(" ");
}

/** 20000 -> "20 s"; a test's 300 -> "0.3 s". */
const seconds = (ms: number): string => `${ms / 1000} s`;
