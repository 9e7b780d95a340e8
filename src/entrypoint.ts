import type { Writable } from "node:stream";
import { connect } from "./amplitude/connect.js";
import { NAME, parseCommandLine, type CommandLine } from "./command-line.js";
import { selectStreams } from "./config/configured-catalog.js";
import { configSecrets, parseConfig } from "./config/config.js";
import { readJsonFile } from "./config/json-file.js";
import { configWarnings } from "./config/config-warnings.js";
import { asConnectorError, stackOf, UsageError } from "./errors.js";
import { errorTrace, type Log } from "./protocol/messages.js";
import { ProtocolWriter } from "./protocol/writer.js";
import { spoolCandidates } from "./body/spool.js";
import { SecretFilter } from "./secrets.js";
import { CHECK_BUDGET, checkConnection } from "./source/check.js";
import { PROGRESS_EVERY_MS } from "./source/progress.js";
import { read } from "./source/read.js";
import { loadSpec } from "./spec.js";
import { catalogStreams } from "./streams/discovered-catalog.js";

export interface Io {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** The working directory (the last place chart bodies may wait). */
  cwd: string;
  /** Tests shorten the clocks (see Timing); the CLI leaves them as they are. */
  timing?: Partial<Timing>;
}

/** The clocks a command keeps. Users never change them; tests shorten them. */
export interface Timing {
  /** How long check waits for Amplitude's answers, retries included. */
  checkDeadlineMs: number;
  /** How often a read that waits on Amplitude says so. */
  progressEveryMs: number;
  /** Multiplies every retry wait (0.001 turns 2 s into 2 ms). */
  retryDelayScale: number;
}

/**
 * The defaults, then the test knobs of the environment (for tests that run the CLI or the
 * image as a process), then what an in-process test passes.
 */
function timingOf(io: Io): Timing {
  const fromEnv = (name: string, min: number): number | undefined => {
    const value = Number(io.env[name]);
    return io.env[name] !== undefined && Number.isFinite(value) && value >= min ? value : undefined;
  };
  return {
    checkDeadlineMs: CHECK_BUDGET.deadlineMs,
    progressEveryMs: fromEnv("SOURCE_AMPLITUDE_CHARTS_PROGRESS_MS", 1) ?? PROGRESS_EVERY_MS,
    retryDelayScale: fromEnv("SOURCE_AMPLITUDE_CHARTS_RETRY_DELAY_SCALE", 0) ?? 1,
    ...io.timing,
  };
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
  const timing = timingOf(io);
  const raw = await readJsonFile(commandLine.config, "config");
  secrets.add(...configSecrets(raw));
  const log: Log = (level, message) => writer.log(level, message);
  if (commandLine.command !== "discover") {
    for (const warning of configWarnings(raw)) await log("WARN", warning);
  }

  if (commandLine.command === "check") {
    const result = await checkConnection(
      raw,
      (config, budget) =>
        connect(config, { log, retryDelayScale: timing.retryDelayScale, ...budget }),
      log,
      timing.checkDeadlineMs,
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

  const catalog = await readJsonFile(commandLine.catalog, "catalog", { jsonLines: true });
  const selected = selectStreams(catalog, config);
  const amplitude = connect(config, { log, retryDelayScale: timing.retryDelayScale });
  try {
    const complete = await read(config, selected, amplitude, writer, {
      spoolFolders: spoolCandidates(io.env, io.cwd),
      progressEveryMs: timing.progressEveryMs,
    });
    if (!complete) say("the read finished with failed streams; see the ERROR traces on stdout.");
    return complete ? 0 : 1;
  } finally {
    await amplitude.close();
  }
}
