import { readFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import yargs from "yargs";
import { AmplitudeClient } from "./amplitude/client.js";
import { selectStreams } from "./config/catalog.js";
import { parseConfig, type ConnectorConfig } from "./config/config.js";
import { asConnectorError, ConnectorError, stackOf, UsageError } from "./errors.js";
import { errorTrace } from "./protocol/messages.js";
import { ProtocolWriter } from "./protocol/writer.js";
import { SecretFilter } from "./secrets.js";
import { check } from "./source/check.js";
import { read } from "./source/read.js";
import { loadSpec } from "./spec.js";
import { catalogStreams } from "./streams/schemas.js";

export interface Io {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
}

interface Args {
  command: string;
  config?: string;
  catalog?: string;
  /** Words after the command that are not options (a path given without its flag). */
  strays: string[];
}

const NAME = "source-amplitude-charts";

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
    const args = await parseArgs(argv, io);
    if (args === undefined) return 0; // --help
    return await runCommand(args, io, writer, secrets, say);
  } catch (thrown) {
    const error = asConnectorError(thrown, "Unexpected failure");
    await writer.message(
      errorTrace(error.failureType, error.message, {
        internalMessage: error.internalMessage,
        // A typo on the command line needs no stack trace.
        stackTrace: error instanceof UsageError ? undefined : stackOf(thrown),
      }),
    );
    say(error.message);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await writer.close();
  }
}

async function runCommand(
  args: Args,
  io: Io,
  writer: ProtocolWriter,
  secrets: SecretFilter,
  say: (text: string) => void,
): Promise<number> {
  if (args.command === "spec") {
    await writer.message({ type: "SPEC", spec: { ...loadSpec() } });
    return 0;
  }
  const raw = await readJsonFile(args.config, "config", "--config", args.strays[0]);
  addSecrets(secrets, raw);

  if (args.command === "check") {
    let config: ConnectorConfig;
    try {
      config = parseConfig(raw);
    } catch (error) {
      if (!(error instanceof ConnectorError)) throw error;
      await writer.message({
        type: "CONNECTION_STATUS",
        connectionStatus: { status: "FAILED", message: error.message },
      });
      return 0;
    }
    const client = clientFor(config, io, writer);
    try {
      const result = await check(config, client);
      await writer.message({ type: "CONNECTION_STATUS", connectionStatus: result });
      return 0;
    } finally {
      await client.close();
    }
  }

  const config = parseConfig(raw);
  if (args.command === "discover") {
    await writer.message({
      type: "CATALOG",
      catalog: { streams: catalogStreams(config.chartIds) },
    });
    return 0;
  }

  // read
  const catalog = await readJsonFile(args.catalog, "catalog", "--catalog", args.strays[0]);
  const selected = selectStreams(catalog, config);
  const client = clientFor(config, io, writer);
  try {
    const complete = await read(config, selected, client, writer);
    if (!complete) say("the read finished with failed streams; see the ERROR traces on stdout.");
    return complete ? 0 : 1;
  } finally {
    await client.close();
  }
}

function clientFor(config: ConnectorConfig, io: Io, writer: ProtocolWriter): AmplitudeClient {
  // Tests shrink the retry waits (e.g. 0.001 turns 2 s into 2 ms); users leave it unset.
  const scale = Number(io.env.SOURCE_AMPLITUDE_CHARTS_RETRY_DELAY_SCALE ?? "1");
  const factor = Number.isFinite(scale) && scale >= 0 ? scale : 1;
  return new AmplitudeClient(config, {
    log: (level, message) => writer.log(level, message),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms * factor)),
  });
}

function addSecrets(secrets: SecretFilter, raw: unknown): void {
  const { api_key: user, secret_key: password } = (raw ?? {}) as {
    api_key?: unknown;
    secret_key?: unknown;
  };
  const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  secrets.add(text(user), text(password));
  if (typeof user === "string" && typeof password === "string")
    secrets.addBasicCredentials(user, password);
}

async function readJsonFile(
  path: string | undefined,
  what: string,
  flag: string,
  stray?: string,
): Promise<unknown> {
  if (path === undefined || path === "") {
    const hint = stray !== undefined ? ` (did you mean ${flag} ${stray}?)` : "";
    throw new UsageError(`missing ${flag} <path to the ${what} JSON file>${hint}.`);
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a folder, not a file"
            : String(code ?? error);
    throw new UsageError(`cannot read the ${what} file ${path}: ${why}.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `the ${what} file ${path} is not valid JSON (${jsonProblem(text, error)}).`,
    );
  }
}

/**
 * Where and why JSON.parse failed, without V8's quote of the text around the error:
 * that quote can hold part of a key when the config file is broken.
 */
function jsonProblem(text: string, error: unknown): string {
  if (text.trim() === "") return "the file is empty";
  const message = error instanceof Error ? error.message : "";
  const at = /^(.*) in JSON at position (\d+)/.exec(message);
  if (!at) return "unexpected text; check its quotes, commas and braces";
  const before = text.slice(0, Number(at[2]));
  const line = before.split("\n").length;
  const column = before.length - before.lastIndexOf("\n");
  return `${at[1]} at line ${line}, column ${column}`;
}

const COMMANDS = ["spec", "check", "discover", "read"];

/** The command line; unknown extra flags (such as --debug) are accepted. */
async function parseArgs(argv: string[], io: Io): Promise<Args | undefined> {
  const parser = yargs(argv)
    .scriptName(NAME)
    .usage(
      `${NAME} <command> [--config FILE] [--catalog FILE]\n\n` +
        "An Airbyte source for Amplitude saved charts. Prints Airbyte messages on stdout.",
    )
    .command("spec", "print the connector specification")
    .command("check", "check the config: keys, region and every chart", (y) =>
      y.option("config", configOption),
    )
    .command("discover", "print the catalog of streams for the config", (y) =>
      y.option("config", configOption),
    )
    .command("read", "read the charts as records", (y) =>
      y
        .option("config", configOption)
        .option("catalog", { type: "string", describe: "path to the configured catalog JSON file" })
        .option("state", {
          type: "string",
          describe: "path to a state file (ignored: full refresh only)",
        }),
    )
    .example(`${NAME} check --config secrets/config.json`, "")
    .example(
      `${NAME} read --config secrets/config.json --catalog integration_tests/configured_catalog.json`,
      "",
    )
    .epilogue(
      "Each command's options: <command> --help. Try it without an Amplitude account: npm run demo. " +
        `Docs: ${loadSpec().documentationUrl}`,
    )
    .help(false)
    .version(false)
    .exitProcess(false)
    .wrap(null);
  if (argv[0] === "help" || argv.includes("--help") || argv.includes("-h")) {
    io.stderr.write(`${await parser.getHelp()}\n`);
    return undefined;
  }
  const command = argv[0];
  if (command === undefined || command.startsWith("-")) {
    throw new UsageError(
      `no command given; use one of ${COMMANDS.join(", ")} (--help shows the options).`,
    );
  }
  if (!COMMANDS.includes(command)) {
    throw new UsageError(`unknown command "${command}"; use one of ${COMMANDS.join(", ")}.`);
  }
  const parsed = await parser.parseAsync();
  return {
    command,
    config: asPath(parsed.config),
    catalog: asPath(parsed.catalog),
    strays: parsed._.slice(1).map(String),
  };
}

const configOption = { type: "string", describe: "path to the config JSON file" } as const;

const asPath = (value: unknown): string | undefined =>
  typeof value === "string" ? value : undefined;
