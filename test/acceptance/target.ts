import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseMessages, type Message } from "../helpers/protocol.js";
import { CLI, runCli, runProgram, type CliResult } from "../helpers/run-cli.js";
import {
  containerEngine,
  type ContainerEngine,
  type ContainerRun,
  type ImageConfig,
  type Mount,
} from "../../scripts/container.js";
import { connectorImage } from "./paths.js";

/**
 * Where the acceptance checks run the connector: the built CLI as a child process, or
 * the built image (with Docker, or buildah where no Docker engine runs), on the host's
 * network so that it reaches the fake Amplitude on 127.0.0.1. Both
 * get their files the way the platform hands them over: `/config/connectionConfiguration.json`
 * for check and discover, `/source/connectorConfig.json` and `/source/catalog.json` for
 * read (for the CLI, the same names under a temp folder). `shell: true` runs the
 * command the platform's way, `sh -c "$AIRBYTE_ENTRYPOINT <command> <args>"`, instead of
 * through the entrypoint.
 */
export type Command = "spec" | "check" | "discover" | "read";

export interface Inputs {
  config?: unknown;
  catalog?: unknown;
  state?: unknown;
}

export interface RunOptions {
  /**
   * `platform` (default): /config/connectionConfiguration.json, /source/connectorConfig.json,
   * /source/catalog.json, /source/inputState.json. `cat`: the acceptance tests' own
   * /data/config.json, /data/catalog.json, /data/state.json.
   */
  layout?: "platform" | "cat";
  /** Run as `sh -c "$AIRBYTE_ENTRYPOINT …"` (the platform's form). */
  shell?: boolean;
  timeoutMs?: number;
  /** Appended to the command line (e.g. --debug, which the platform may pass). */
  extraArgs?: string[];
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as Airbyte messages; every line was checked against the protocol schema. */
  messages: Message[];
  /** The command line as the connector saw it. */
  args: string[];
}

export interface ConnectorTarget {
  /** "cli" or "image"; `description` says which binary or image. */
  readonly kind: "cli" | "image";
  readonly description: string;
  run(command: Command, inputs?: Inputs, options?: RunOptions): Promise<RunResult>;
  /** Runs `sh -c SCRIPT` where the connector runs (image: inside the container, as its user). */
  shell(script: string, mounts?: Mount[], timeoutMs?: number): Promise<RawResult>;
}

export type RawResult = CliResult;

export type { Mount };

/** The target that ACCEPTANCE_TARGET selects: `image` (ACCEPTANCE_IMAGE or connector_image) or the CLI. */
export function selectedTarget(): ConnectorTarget {
  const wanted = process.env.ACCEPTANCE_TARGET ?? "cli";
  if (wanted === "image") return new ImageTarget(process.env.ACCEPTANCE_IMAGE ?? connectorImage());
  if (wanted === "cli") return new CliTarget();
  throw new Error(`ACCEPTANCE_TARGET must be "cli" or "image", not "${wanted}"`);
}

/** The platform's file layout: which folder is mounted and the argument paths inside it. */
interface Layout {
  dir: "config" | "source" | "data";
  files: Record<string, { name: string; content: unknown }>;
}

function layoutFor(command: Command, inputs: Inputs, kind: RunOptions["layout"]): Layout {
  if (kind === "cat") {
    const files: Layout["files"] = {};
    if (inputs.config !== undefined) files.config = { name: "config.json", content: inputs.config };
    if (inputs.catalog !== undefined)
      files.catalog = { name: "catalog.json", content: inputs.catalog };
    if (inputs.state !== undefined) files.state = { name: "state.json", content: inputs.state };
    return { dir: "data", files };
  }
  if (command === "read") {
    const files: Layout["files"] = {
      config: { name: "connectorConfig.json", content: inputs.config },
      catalog: { name: "catalog.json", content: inputs.catalog },
    };
    if (inputs.state !== undefined) {
      files.state = { name: "inputState.json", content: inputs.state };
    }
    return { dir: "source", files };
  }
  if (command === "spec") return { dir: "config", files: {} };
  return {
    dir: "config",
    files: { config: { name: "connectionConfiguration.json", content: inputs.config } },
  };
}

/**
 * The platform's files for a command: written into a fresh folder readable by uid 1000
 * (`hostDir`), to be mounted read-only at `containerDir`, and the command line naming them.
 */
export function platformFiles(
  command: Command,
  inputs: Inputs,
  kind: RunOptions["layout"] = "platform",
): { hostDir: string; containerDir: string; args: string[] } {
  const layout = layoutFor(command, inputs, kind);
  const hostDir = writeLayout(layout);
  const containerDir = `/${layout.dir}`;
  return { hostDir, containerDir, args: argsFor(command, layout, containerDir) };
}

/** Writes the layout's files into a fresh folder readable by uid 1000; returns the folder. */
function writeLayout(layout: Layout): string {
  const parent = mkdtempSync(join(tmpdir(), "amplitude-charts-acceptance-"));
  const dir = join(parent, layout.dir);
  mkdirSync(dir);
  for (const { name, content } of Object.values(layout.files)) {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    chmodSync(path, 0o644);
  }
  chmodSync(parent, 0o755);
  chmodSync(dir, 0o755);
  return dir;
}

function argsFor(command: Command, layout: Layout, base: string): string[] {
  const args: string[] = [command];
  for (const [flag, { name }] of Object.entries(layout.files)) {
    args.push(`--${flag}`, `${base}/${name}`);
  }
  return args;
}

function result(raw: RawResult, args: string[]): RunResult {
  return { ...raw, args, messages: parseMessages(raw.stdout) };
}

const collect = (
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<RawResult> => runProgram(file, args, { env, timeoutMs });

/** The built CLI, `node dist/src/cli.js` (npm run build first). */
export class CliTarget implements ConnectorTarget {
  readonly kind = "cli";
  readonly description = `node ${CLI}`;
  /** What the image's AIRBYTE_ENTRYPOINT is, with this machine's paths. */
  private readonly entrypoint = `${process.execPath} ${CLI}`;

  async run(command: Command, inputs: Inputs = {}, options: RunOptions = {}): Promise<RunResult> {
    const layout = layoutFor(command, inputs, options.layout);
    const dir = writeLayout(layout);
    const args = [...argsFor(command, layout, dir), ...(options.extraArgs ?? [])];
    const timeoutMs = options.timeoutMs ?? 60_000;
    try {
      if (options.shell) {
        return result(
          await this.shell(`$AIRBYTE_ENTRYPOINT ${args.join(" ")}`, [], timeoutMs),
          args,
        );
      }
      return result(await runCli(args, { timeoutMs }), args);
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  }

  /** `sh -c SCRIPT` on this machine, with AIRBYTE_ENTRYPOINT set as the image sets it. */
  shell(script: string, mounts: Mount[] = [], timeoutMs = 60_000): Promise<RawResult> {
    if (mounts.length > 0) throw new Error("the CLI target reads host paths; it mounts nothing");
    const env = { ...process.env, AIRBYTE_ENTRYPOINT: this.entrypoint };
    return collect("sh", ["-c", script], env, timeoutMs);
  }
}

/** A locally built image, run as `docker run --rm -i --network host -v …` runs it (Docker, or buildah). */
export class ImageTarget implements ConnectorTarget {
  readonly kind = "image";
  readonly description: string;
  private config: ImageConfig | undefined;
  private engineInUse: ContainerEngine | undefined;

  constructor(readonly image: string) {
    this.description = `image ${image}`;
  }

  private get engine(): ContainerEngine {
    this.engineInUse ??= containerEngine();
    return this.engineInUse;
  }

  /** What runs the image: `docker` (any engine behind the Docker API) or `buildah`. */
  get engineName(): ContainerEngine["name"] {
    return this.engine.name;
  }

  /**
   * The image's OCI config (labels, env, entrypoint, user). Throws, loudly, when no
   * engine or no image is there: the image half of the suite is never skipped.
   */
  imageConfig(): ImageConfig {
    this.config ??= this.engine.imageConfig(this.image);
    return this.config;
  }

  async run(command: Command, inputs: Inputs = {}, options: RunOptions = {}): Promise<RunResult> {
    this.imageConfig();
    const files = platformFiles(command, inputs, options.layout);
    const { hostDir, containerDir } = files;
    const args = [...files.args, ...(options.extraArgs ?? [])];
    const timeoutMs = options.timeoutMs ?? 120_000;
    const mounts = [{ hostDir, containerDir }];
    try {
      const run = options.shell
        ? { mounts, shellScript: `$AIRBYTE_ENTRYPOINT ${args.join(" ")}` }
        : { mounts, args };
      return result(await this.container(run, timeoutMs), args);
    } finally {
      rmSync(dirname(hostDir), { recursive: true, force: true });
    }
  }

  /**
   * `sh -c SCRIPT` in a fresh container of the image, as the image's user, with the
   * image's env and workdir: what the platform does with `sh -c "$AIRBYTE_ENTRYPOINT …"`.
   */
  shell(script: string, mounts: Mount[] = [], timeoutMs = 120_000): Promise<RawResult> {
    return this.container({ mounts, shellScript: script }, timeoutMs);
  }

  /** Any run of the image: other mounts, env, working directory. */
  async container(run: ContainerRun, timeoutMs = 120_000): Promise<RawResult> {
    const prepared = this.engine.prepare(this.image, run);
    try {
      return await collect(prepared.file, prepared.args, process.env, timeoutMs);
    } finally {
      prepared.cleanup();
    }
  }
}
