import type { Writable } from "node:stream";
import { NAME, parseCommandLine, type CommandLine } from "./command-line.js";
import { selectStreams } from "./config/catalog.js";
import { configSecrets, parseConfig } from "./config/config.js";
import { readJsonFile } from "./config/json-file.js";
import { CHECK_RETRY_POLICY } from "./http/retry-policy.js";
import { configWarnings } from "./config/config-warnings.js";
import { asConnectorError, stackOf, UsageError } from "./errors.js";
import { errorTrace } from "./protocol/messages.js";
import { ProtocolWriter } from "./protocol/writer.js";
import { spoolCandidates } from "./body/spool.js";
import { SecretFilter } from "./secrets.js";
import { PROGRESS_EVERY_MS } from "./source/progress.js";
import { loadSpec } from "./spec.js";
import { catalogStreams } from "./streams/catalog.js";

export interface Io {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** The working directory (the last place chart bodies may wait). */
  cwd: string;
}

/**
 * Runs one command and returns the exit code: 0 done, 1 a failure reported on stdout,
 * 2 a bad command line. Only the writer prints to stdout; the process exits when the
 * output has drained (the caller sets process.exitCode, never process.exit()).
 */
export async function main(argv: string[], io: Io): Promise<number> {
  const secrets = new SecretFilter();
  const writer = new ProtocolWriter(io.stdout, secrets);
  const say = (text: string): void => void io.stderr.write(`${NAME}: ${secrets.redact(text)}\n`);
  try {
    const commandLine = await parseCommandLine(argv);
    if (commandLine.command === "help") {
      io.stderr.write(`${commandLine.usage}\n`);
      return 0;
    }
    return await run(commandLine, { io, writer, secrets, say });
  } catch (thrown) {
    const error = asConnectorError(thrown, "Unexpected failure");
    await writer.message(
      errorTrace(error.failureType, error.message, {
        internalMessage: error.internalMessage,
        // A typo on the command line or in the config needs no stack trace.
        stackTrace: error.failureType === "config_error" ? undefined : stackOf(thrown),
      }),
    );
    say(error.message);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await writer.close();
  }
}

interface Context {
  io: Io;
  writer: ProtocolWriter;
  secrets: SecretFilter;
  say: (text: string) => void;
}

/** One command: its files read, the config's secrets registered before anything can print them. */
async function run(
  commandLine: Exclude<CommandLine, { command: "help" }>,
  { io, writer, secrets, say }: Context,
): Promise<number> {
  if (commandLine.command === "spec") {
    await writer.message({ type: "SPEC", spec: { ...loadSpec() } });
    return 0;
  }
  const raw = await readJsonFile(commandLine.config, "config");
  secrets.add(...configSecrets(raw));
  const log = (level: "INFO" | "WARN", message: string) => writer.log(level, message);
  if (commandLine.command !== "discover") {
    for (const warning of configWarnings(raw)) await writer.log("WARN", warning);
  }

  if (commandLine.command === "check") {
    // HTTP (undici), the check and the read are loaded only by the commands that use them.
    const { connect } = await import("./amplitude/connect.js");
    const { checkConnection } = await import("./source/check.js");
    const result = await checkConnection(
      raw,
      (config) =>
        connect(config, { log, env: io.env, policy: CHECK_RETRY_POLICY, connectTimeoutMs: 10_000 }),
      log,
    );
    await writer.message({ type: "CONNECTION_STATUS", connectionStatus: result });
    return 0;
  }

  const config = parseConfig(raw);
  if (commandLine.command === "discover") {
    await writer.message({
      type: "CATALOG",
      catalog: { streams: catalogStreams(config.chartIds) },
    });
    return 0;
  }

  const { connect } = await import("./amplitude/connect.js");
  const { read } = await import("./source/read.js");
  const catalog = await readJsonFile(commandLine.catalog, "catalog", { jsonLines: true });
  const selected = selectStreams(catalog, config);
  const amplitude = connect(config, { log, env: io.env });
  try {
    const complete = await read(config, selected, amplitude, writer, {
      spoolFolders: spoolCandidates(io.env, io.cwd),
      progressEveryMs: progressEveryMs(io.env),
    });
    if (!complete) say("the read finished with failed streams; see the ERROR traces on stdout.");
    return complete ? 0 : 1;
  } finally {
    await amplitude.close();
  }
}

/** Tests shorten the progress interval (SOURCE_AMPLITUDE_CHARTS_PROGRESS_MS); users leave it unset. */
function progressEveryMs(env: Record<string, string | undefined>): number {
  const ms = Number(env.SOURCE_AMPLITUDE_CHARTS_PROGRESS_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : PROGRESS_EVERY_MS;
}
