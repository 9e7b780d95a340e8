import type { Writable } from "node:stream";
import { NAME, parseCommandLine, type CommandLine } from "./command-line.js";
import { looksLikeCatalog, selectStreams } from "./config/configured-catalog.js";
import { isObject } from "./json.js";
import { configSecrets, parseConfig } from "./config/config.js";
import { readJsonFile } from "./config/json-file.js";
import { readState, type InputState } from "./config/state.js";
import { chartStreamName } from "./streams/chart-stream.js";
import { METADATA_STREAM } from "./streams/metadata-stream.js";
import { configWarnings } from "./config/config-warnings.js";
import { asConnectorError, Interrupted, stackOf, UsageError } from "./errors.js";
import { errorTrace, type Log } from "./protocol/messages.js";
import { ProtocolWriter } from "./protocol/writer.js";
import { spoolCandidates } from "./body/spool.js";
import { SecretFilter } from "./secrets.js";
import { PROGRESS_EVERY_MS } from "./source/progress.js";
import { loadSpec, packageVersion } from "./spec.js";
import { catalogStreams } from "./streams/discovered-catalog.js";

export interface Io {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** The working directory (the last place chart bodies may wait). */
  cwd: string;
  /** Tests shorten the clocks (see Timing); the CLI leaves them as they are. */
  timing?: Partial<Timing>;
  /** Aborted, with an Interrupted as its reason, when a signal asks the command to stop. */
  signal?: AbortSignal;
}

/** The clocks a command keeps. Users never change them; tests shorten them. */
export interface Timing {
  /** How long check waits for Amplitude's answers, retries included (default: its budget). */
  checkDeadlineMs?: number;
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
  // The command stops when a signal says so, or when stdout's reader goes away (EPIPE).
  const stop = new AbortController();
  const secrets = new SecretFilter();
  const writer = new ProtocolWriter(io.stdout, secrets, stop.signal);
  const say = (text: string): void => void io.stderr.write(`${NAME}: ${secrets.redact(text)}\n`);
  const onSignal = (): void => stop.abort(io.signal?.reason);
  const onOutputError = (): void => stop.abort(new Interrupted("EPIPE"));
  io.signal?.addEventListener("abort", onSignal, { once: true });
  if (io.signal?.aborted) onSignal();
  io.stdout.on("error", onOutputError);
  let command = "command";
  try {
    const commandLine = await parseCommandLine(argv);
    if (commandLine.command === "help") {
      io.stderr.write(`${commandLine.usage}\n`);
      return 0;
    }
    if (commandLine.command === "version") {
      // stdout carries Airbyte messages only.
      io.stderr.write(`${NAME} ${packageVersion()}\n`);
      return 0;
    }
    command = commandLine.command;
    return await run(commandLine, { io, writer, secrets, say, signal: stop.signal });
  } catch (thrown) {
    if (stop.signal.aborted) return await stopped(stop.signal.reason, command, writer, say);
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
    io.signal?.removeEventListener("abort", onSignal);
    io.stdout.off("error", onOutputError);
  }
}

/**
 * A catalog given as --config: for a read whose --catalog is a config, the two files were
 * swapped; else the wrong file. Either way the command line is wrong (exit code 2).
 */
async function catalogAsConfig(
  commandLine: { command: string; config: string; catalog?: string },
  secrets: SecretFilter,
): Promise<UsageError> {
  const { config, catalog } = commandLine;
  if (catalog !== undefined) {
    const other = await readJsonFile(catalog, "catalog").catch(() => undefined);
    secrets.add(...configSecrets(other));
    if (isObject(other) && "api_key" in other) {
      return new UsageError(
        `--config and --catalog are swapped: ${config} is a catalog and ${catalog} a config. ` +
          `Run read --config ${catalog} --catalog ${config}.`,
      );
    }
  }
  return new UsageError(
    `the config file ${config} is a catalog (it has "streams"), not a config: give the config ` +
      "file (api_key, secret_key, chart_ids) as --config.",
  );
}

/**
 * The --state file's cursors. A state that cannot be read (not even a file, or not JSON)
 * never fails a read: it is a warning, and the streams are read as if they had no state.
 */
async function inputState(path: string | undefined, chartIds: string[]): Promise<InputState> {
  if (path === undefined) return { cursors: new Map(), warnings: [] };
  let raw: unknown;
  try {
    raw = await readJsonFile(path, "state");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return {
      cursors: new Map(),
      warnings: [`${error.message} It is ignored: every stream is read as if it had no state.`],
    };
  }
  const streams = new Set([METADATA_STREAM, ...chartIds.map(chartStreamName)]);
  return readState(raw, streams, new Set([METADATA_STREAM]));
}

/**
 * The command was stopped from outside: one LOG line says why (when stdout still has a
 * reader), one line on stderr, and the exit code a shell expects. By then the read has
 * removed its spool, and every line written is whole.
 */
async function stopped(
  reason: unknown,
  command: string,
  writer: ProtocolWriter,
  say: (text: string) => void,
): Promise<number> {
  const interrupted = reason instanceof Interrupted ? reason : new Interrupted("SIGTERM");
  if (interrupted.stopCause === "EPIPE") {
    say(`stdout was closed by its reader (EPIPE): the ${command} stopped.`);
  } else {
    const why =
      `The ${command} stopped: the connector received ${interrupted.stopCause} ` +
      "(a stop from the platform or a user). The chart bodies it had downloaded were removed, " +
      "and every message written before is whole; run the sync again to read the charts.";
    await writer.log("WARN", why);
    say(why);
  }
  return interrupted.exitCode;
}

interface Context {
  io: Io;
  writer: ProtocolWriter;
  secrets: SecretFilter;
  say: (text: string) => void;
  /** Aborted when the command must stop. */
  signal: AbortSignal;
}

/** One command: its files read, the config's secrets registered before anything can print them. */
async function run(
  commandLine: Exclude<CommandLine, { command: "help" | "version" }>,
  { io, writer, secrets, say, signal }: Context,
): Promise<number> {
  if (commandLine.command === "spec") {
    await writer.message({ type: "SPEC", spec: { ...loadSpec() } });
    return 0;
  }
  const timing = timingOf(io);
  const raw = await readJsonFile(commandLine.config, "config");
  secrets.add(...configSecrets(raw));
  if (looksLikeCatalog(raw)) throw await catalogAsConfig(commandLine, secrets);
  const log: Log = (level, message) => writer.log(level, message);
  const warnings = commandLine.command === "discover" ? [] : configWarnings(raw);
  for (const warning of warnings) await log("WARN", warning);

  if (commandLine.command === "check") {
    // HTTP (undici), the check and the read are loaded only by the commands that use them.
    const { connect } = await import("./amplitude/connect.js");
    const { checkConnection } = await import("./source/check.js");
    const result = await checkConnection(
      raw,
      (config, budget) =>
        connect(config, { log, retryDelayScale: timing.retryDelayScale, signal, ...budget }),
      log,
      timing.checkDeadlineMs,
    );
    // Airbyte's UI shows check's status, not its LOG lines: the warnings go there too.
    const message = [result.message, ...warnings].join(" ");
    await writer.message({ type: "CONNECTION_STATUS", connectionStatus: { ...result, message } });
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
  const state = await inputState(commandLine.state, config.chartIds);
  for (const warning of state.warnings) await log("WARN", warning);
  const amplitude = connect(config, { log, retryDelayScale: timing.retryDelayScale, signal });
  try {
    const complete = await read(config, selected, amplitude, writer, {
      spoolFolders: spoolCandidates(io.env, io.cwd),
      progressEveryMs: timing.progressEveryMs,
      signal,
      cursors: state.cursors,
    });
    if (!complete) say("the read finished with failed streams; see the ERROR traces on stdout.");
    return complete ? 0 : 1;
  } finally {
    await amplitude.close();
  }
}
