import type { Argv } from "yargs";
import { UsageError } from "./errors.js";

export const NAME = "source-amplitude-charts";

/** What the command line asks for. */
export type CommandLine =
  | { command: "spec" }
  | { command: "check"; config: string }
  | { command: "discover"; config: string }
  | { command: "read"; config: string; catalog: string; state?: string }
  /** --help (or `help`): the usage text, for stderr. */
  | { command: "help"; usage: string }
  /** --version (or `version`): the connector's version, for stderr. */
  | { command: "version" };

const COMMAND_NAMES = ["spec", "check", "discover", "read"];
const COMMANDS = COMMAND_NAMES.join(", ");

/**
 * The command line. The four the platform runs (`spec`, `check --config FILE`, ...) are
 * taken as they are; anything else goes to yargs, loaded only then.
 */
export async function parseCommandLine(argv: string[]): Promise<CommandLine> {
  if (argv[0] === "version" || (argv.includes("--version") && !argv.includes("--help"))) {
    return { command: "version" };
  }
  return platformCommandLine(argv) ?? (await parsedByYargs(argv));
}

/** Each command's file options: those it requires, and those it also takes. */
const COMMAND_FILES = new Map<string, { required: string[]; optional: string[] }>([
  ["spec", { required: [], optional: [] }],
  ["check", { required: ["config"], optional: [] }],
  ["discover", { required: ["config"], optional: [] }],
  ["read", { required: ["config", "catalog"], optional: ["state"] }],
]);

/**
 * The command lines the platform runs, read as yargs reads them but without loading it
 * (its ~45 modules, and the help text it lays out at every parse, cost more than the rest
 * of `spec`): a command, then each of its file options once as `--name PATH`, no PATH
 * empty or starting with a dash. Anything else (help, a misuse, extra flags,
 * `--config=PATH`) is undefined, for yargs. test/unit/command-line.test.ts checks that
 * yargs reads every line taken here the same way.
 */
export function platformCommandLine(argv: string[]): CommandLine | undefined {
  const [command = "", ...rest] = argv;
  const files = COMMAND_FILES.get(command);
  if (!files || rest.length % 2 !== 0) return undefined;
  const paths = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const name = /^--([a-z]+)$/.exec(rest[i] ?? "")?.[1] ?? "";
    const value = rest[i + 1] ?? "";
    const known = files.required.includes(name) || files.optional.includes(name);
    if (!known || paths.has(name) || !/^[^-]/.test(value)) return undefined;
    paths.set(name, value);
  }
  if (!files.required.every((name) => paths.has(name))) return undefined;
  const path = (name: string): string => paths.get(name) ?? "";
  if (command === "spec") return { command };
  if (command === "check" || command === "discover") return { command, config: path("config") };
  const state = paths.get("state");
  return {
    command: "read",
    config: path("config"),
    catalog: path("catalog"),
    ...(state !== undefined && { state }),
  };
}

/**
 * The command line, parsed by yargs: the four commands and their options, help, and a
 * fail handler that turns every misuse into one UsageError (exit code 2). Unknown extra
 * flags (such as --debug) are accepted, as the Airbyte protocol asks.
 */
export async function parsedByYargs(argv: string[]): Promise<CommandLine> {
  const [{ default: yargs }, { CATALOG_RECIPE }, { loadSpec }, { nearest }] = await Promise.all([
    import("yargs"),
    import("./config/configured-catalog.js"),
    import("./spec.js"),
    import("./spelling.js"),
  ]);
  const withFiles = (y: Argv, names: (keyof typeof FILE_OPTIONS)[]): Argv =>
    withFileOptions(y, names, CATALOG_RECIPE);
  // `help` and `help check` as commands, as users type them.
  const args = argv[0] === "help" ? [...argv.slice(1), "--help"] : argv;
  const parser = yargs()
    .scriptName(NAME)
    .usage(
      `${NAME} <command> [--config FILE] [--catalog FILE]\n\n` +
        "An Airbyte source for Amplitude saved charts. Prints Airbyte messages on stdout.",
    )
    .command("spec", "print the connector specification")
    .command("check", "check the config: keys, region and every chart", (y) =>
      withFiles(y, ["config"]),
    )
    .command("discover", "print the catalog of streams for the config", (y) =>
      withFiles(y, ["config"]),
    )
    .command("read", "read the charts as records", (y) =>
      withFiles(y, ["config", "catalog"]).option("state", {
        type: "string",
        requiresArg: true,
        describe: "path to a state file (incremental chart streams resume from it)",
      }),
    )
    // Anything else: no command, or one we do not know.
    .command("$0", false, (y) =>
      y.check((parsed) => {
        if (parsed.help) return true;
        const word = parsed._[0];
        if (word === undefined) {
          throw new UsageError(
            `no command given; use one of ${COMMANDS} (--help shows the options).`,
          );
        }
        // Commands are short words: one edit per three letters, so that "sync" is not "spec".
        const typed = String(word).toLowerCase();
        const meant = nearest(typed, COMMAND_NAMES, Math.max(1, Math.floor(typed.length / 3)));
        const hint = meant ? ` Did you mean "${meant}"?` : "";
        throw new UsageError(`unknown command "${String(word)}"; use one of ${COMMANDS}.${hint}`);
      }),
    )
    .example(`${NAME} check --config secrets/config.json`, "")
    .example(`${NAME} read --config secrets/config.json --catalog secrets/catalog.json`, "")
    .epilogue(epilogue(loadSpec().documentationUrl))
    .help()
    .alias("help", "h")
    .version(false)
    .locale("en")
    .exitProcess(false)
    // yargs' types say (string, Error); it calls (null, error) for an error thrown in a check,
    // and (its message, undefined) for its own.
    .fail((message: string | null, error: Error | undefined) => {
      if (error instanceof UsageError) throw error;
      const said = message ?? error?.message ?? "";
      const flag = /^Not enough arguments following: (\w+)$/.exec(said)?.[1];
      throw new UsageError(flag === undefined ? `${said}.` : `--${flag} needs a path after it.`);
    })
    .wrap(null);

  // With a callback, yargs hands the help text over instead of printing it to stdout.
  const { parsed, usage } = await new Promise<{ parsed: Parsed; usage: string }>(
    (resolve, reject) => {
      void parser.parse(args, {}, (error, parsed, output) => {
        if (error) reject(error instanceof UsageError ? error : new UsageError(error.message));
        else resolve({ parsed, usage: output });
      });
    },
  );
  if (parsed.help) return { command: "help", usage };
  const command = String(parsed._[0]);
  if (command === "spec") return { command };
  if (command === "check" || command === "discover") {
    return { command, config: parsed.config as string };
  }
  return {
    command: "read",
    config: parsed.config as string,
    catalog: parsed.catalog as string,
    ...(parsed.state !== undefined && { state: parsed.state }),
  };
}

/**
 * Where the docs are, and how to try the connector without an account: `npm run demo`
 * needs the repository (the image holds no npm scripts), found from the docs' GitHub URL.
 */
function epilogue(documentationUrl: string): string {
  const repository = /^https:\/\/github\.com\/[^/]+\/[^/]+/.exec(documentationUrl)?.[0];
  const demo = repository
    ? `Try it without an Amplitude account: clone ${repository} and run npm run demo in it. `
    : "";
  return `Each command's options: <command> --help. ${demo}Docs: ${documentationUrl}`;
}

interface Parsed {
  _: (string | number)[];
  help?: boolean;
  config?: string;
  catalog?: string;
  state?: string;
}

const FILE_OPTIONS = {
  config: "path to the config JSON file",
  catalog: "path to the configured catalog JSON file",
} as const;

/**
 * The file options a command needs, each given once. A missing one is named with a hint
 * when the user gave its path without the flag (`check my-config.json`).
 */
function withFileOptions(
  y: Argv,
  names: (keyof typeof FILE_OPTIONS)[],
  catalogRecipe: string,
): Argv {
  for (const name of names) {
    y.option(name, { type: "string", requiresArg: true, describe: FILE_OPTIONS[name] });
  }
  return y.check((parsed) => {
    for (const name of names) {
      const value: unknown = parsed[name];
      if (Array.isArray(value))
        throw new UsageError(`--${name} is given ${value.length} times; give it once.`);
      if (value === undefined || value === "") {
        const stray = parsed._[1];
        const hint = stray !== undefined ? ` (did you mean --${name} ${String(stray)}?)` : "";
        const recipe = name === "catalog" ? ` ${catalogRecipe}` : "";
        throw new UsageError(`missing --${name} <${FILE_OPTIONS[name]}>${hint}.${recipe}`);
      }
    }
    return true;
  });
}
