import {
  FakeAmplitude,
  type Fault,
  type FakeAmplitudeOptions,
  type FakeChart,
} from "../../fake-amplitude/server.js";
import { createServer } from "node:net";
import { Writable } from "node:stream";
import { main, type Timing } from "../../src/entrypoint.js";
import { parseMessages, type Message } from "./protocol.js";
import { configuredCatalog, jsonFiles, runCli, type CliResult } from "./run-cli.js";

/** Distinctive keys: easy to search for in the output. */
export const API_KEY = "e2eApiKey-7Qx2Wv9LmZ";
export const SECRET_KEY = "e2eSecret-Kp4Rt8Nc3Y";

const running = new Set<FakeAmplitude>();

/** A port nothing listens on (it listened a moment ago): what a wrong host looks like. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Stops every fake `serve` started; each test file calls `afterAll(stopFakes)`. */
export async function stopFakes(): Promise<void> {
  const fakes = [...running];
  running.clear();
  await Promise.all(fakes.map((fake) => fake.stop()));
}

/**
 * A fake Amplitude on 127.0.0.1 for one test (tests run concurrently, so each has its
 * own); `stopFakes` stops them all.
 */
export async function serve(
  charts: Record<string, FakeChart>,
  faults: Record<string, Fault[]> = {},
  options: Partial<Pick<FakeAmplitudeOptions, "apiKey" | "secretKey" | "developerApi">> = {},
): Promise<FakeAmplitude> {
  const fake = new FakeAmplitude({
    apiKey: options.apiKey ?? API_KEY,
    secretKey: options.secretKey ?? SECRET_KEY,
    charts,
    faults,
    ...(options.developerApi && { developerApi: options.developerApi }),
  });
  await fake.start();
  running.add(fake);
  return fake;
}

/** A config for `fake` (or any base URL) with the distinctive keys. */
export function configFor(
  target: FakeAmplitude | string,
  chartIds: string[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    api_key: API_KEY,
    secret_key: SECRET_KEY,
    chart_ids: chartIds,
    base_url: typeof target === "string" ? target : target.baseUrl,
    ...extra,
  };
}

export interface Run extends CliResult {
  messages: Message[];
}

export interface RunInput {
  /** Written to a file and passed as --config (a string is written as is). */
  config?: unknown;
  /** Written to a file and passed as --catalog; a string array selects those streams. */
  catalog?: unknown;
  state?: unknown;
  /** Appended to the command line. */
  extra?: string[];
  env?: Record<string, string>;
  /** In process: the clocks (retry waits are shrunk a thousandfold unless given). */
  timing?: Partial<Timing>;
  cwd?: string;
  timeoutMs?: number;
  /**
   * `in-process` (default): main() in this process, its stdout and stderr collected, in
   * milliseconds. `cli`: the built CLI as a child process, as the platform runs it.
   */
  via?: "in-process" | "cli";
  /** In process: called with each piece of stdout as it is written. */
  onStdout?: (text: string) => void;
  /** In process: aborting it stops the command, as a signal does (see cli.ts). */
  signal?: AbortSignal;
  /** In process: stdout, instead of a collector that takes everything at once. */
  stdout?: Writable;
}

/** Runs the connector; every stdout line must be a valid AirbyteMessage. */
export async function run(command: string | undefined, input: RunInput = {}): Promise<Run> {
  const files: Record<string, unknown> = {};
  if (input.config !== undefined) files.config = input.config;
  if (input.catalog !== undefined) {
    files.catalog =
      Array.isArray(input.catalog) && input.catalog.every((s) => typeof s === "string")
        ? configuredCatalog(input.catalog)
        : input.catalog;
  }
  if (input.state !== undefined) files.state = input.state;
  const paths = jsonFiles(files);
  const args = command === undefined ? [] : [command];
  for (const name of ["config", "catalog", "state"]) {
    const path = paths[name];
    if (path !== undefined) args.push(`--${name}`, path);
  }
  args.push(...(input.extra ?? []));
  if ((input.via ?? "in-process") === "in-process") {
    if (input.cwd !== undefined) throw new Error("cwd needs via: cli");
    const result = await runInProcess(args, input);
    return { ...result, messages: parseMessages(result.stdout) };
  }
  const result = await runCli(args, {
    ...(input.env !== undefined && { env: input.env }),
    ...(input.cwd !== undefined && { cwd: input.cwd }),
    ...(input.timeoutMs !== undefined && { timeoutMs: input.timeoutMs }),
  });
  return { ...result, messages: parseMessages(result.stdout) };
}

/** A stream that keeps what is written to it, and takes it at once (a fast reader). */
class Collector extends Writable {
  text = "";

  constructor(private readonly onText?: (text: string) => void) {
    super({ decodeStrings: false });
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.onText?.(chunk.toString());
    done();
  }
}

/** main() as cli.ts calls it, with the retry waits shrunk as runCli shrinks them. */
export async function runInProcess(
  args: string[],
  input: Pick<RunInput, "env" | "onStdout" | "timing" | "signal" | "stdout"> = {},
): Promise<CliResult> {
  const collector = new Collector(input.onStdout);
  const stderr = new Collector();
  const code = await main(args, {
    stdout: input.stdout ?? collector,
    stderr,
    env: input.env ?? {},
    cwd: process.cwd(),
    timing: { retryDelayScale: 0.001, ...input.timing },
    ...(input.signal !== undefined && { signal: input.signal }),
  });
  return { code, stdout: collector.text, stderr: stderr.text };
}

/**
 * One stream's messages in order, as tokens: STARTED, RUNNING, RUNNING(RATE_LIMITED),
 * RECORD, STATE(n), COMPLETE, INCOMPLETE, ERROR(failure_type). Consecutive records collapse to RECORD*n.
 */
export function timeline(messages: Message[], stream: string): string[] {
  const tokens: string[] = [];
  let records = 0;
  const push = (token: string): void => {
    if (records > 0) tokens.push(`RECORD*${records}`);
    records = 0;
    tokens.push(token);
  };
  for (const m of messages) {
    if (m.type === "RECORD" && (m.record as { stream: string }).stream === stream) records++;
    if (m.type === "STATE") {
      const state = m.state as {
        stream: { stream_descriptor: { name: string } };
        sourceStats: { recordCount: number };
      };
      if (state.stream.stream_descriptor.name === stream)
        push(`STATE(${state.sourceStats.recordCount})`);
    }
    if (m.type === "TRACE") {
      const trace = m.trace as {
        type: string;
        stream_status?: {
          stream_descriptor: { name: string };
          status: string;
          reasons?: { type: string }[];
        };
        error?: { failure_type: string; stream_descriptor?: { name: string } };
      };
      const status = trace.stream_status;
      if (status?.stream_descriptor.name === stream) {
        const reasons = (status.reasons ?? []).map((r) => r.type).join(",");
        push(reasons ? `${status.status}(${reasons})` : status.status);
      }
      if (trace.error?.stream_descriptor?.name === stream)
        push(`ERROR(${trace.error.failure_type})`);
    }
  }
  if (records > 0) tokens.push(`RECORD*${records}`);
  return tokens;
}

/** The lifecycle of a stream that completed with `n` records. */
export const completed = (n: number): string[] =>
  n === 0
    ? ["STARTED", "RUNNING", "STATE(0)", "COMPLETE"]
    : ["STARTED", "RUNNING", `RECORD*${n}`, `STATE(${n})`, "COMPLETE"];

/** The one CONNECTION_STATUS of a check. */
export function connectionStatus(messages: Message[]): { status: string; message?: string } {
  const found = messages.filter((m) => m.type === "CONNECTION_STATUS");
  if (found.length !== 1) throw new Error(`expected one CONNECTION_STATUS, got ${found.length}`);
  return (found[0] as Message).connectionStatus as { status: string; message?: string };
}

/** Everything a user or the platform sees of a run. */
export const allOutput = (result: CliResult): string => `${result.stdout}\n${result.stderr}`;

/** Settles when stdout has shown `pattern`; for faults that wait on what the connector did. */
export class StdoutWatch {
  private text = "";
  private readonly waiting: { pattern: RegExp; resolve: () => void }[] = [];

  readonly onStdout = (piece: string): void => {
    this.text += piece;
    for (const wait of [...this.waiting]) {
      if (wait.pattern.test(this.text)) {
        this.waiting.splice(this.waiting.indexOf(wait), 1);
        wait.resolve();
      }
    }
  };

  shows(pattern: RegExp): Promise<void> {
    if (pattern.test(this.text)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ pattern, resolve }));
  }
}

/** The pattern of a stream's COMPLETE status on stdout. */
export const completeLine = (stream: string): RegExp =>
  new RegExp(`"stream_descriptor":\\{"name":"${stream}"\\},"status":"COMPLETE"`);
