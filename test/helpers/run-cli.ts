import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

/** The built CLI (npm run build first; `npm test` does). */
export const CLI = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "dist",
  "src",
  "cli.js",
);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Kills the CLI and fails after this long (default 60 s). */
  timeoutMs?: number;
  /** The child's working directory (default: this process's). */
  cwd?: string;
}

/**
 * `npm run demo -- --serve` (scripts/demo.mjs on the built CLI), once it serves: its fake
 * keeps running until the caller kills the child. Rejects if the demo ends first.
 */
export async function serveDemo(out: string): Promise<{ child: ChildProcess; stdout: string }> {
  const root = join(dirname(CLI), "..", "..");
  const child = spawn(
    process.execPath,
    [join(root, "scripts", "demo.mjs"), "--skip-setup", "--serve", "--out", out],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (stdout.includes("Press Ctrl-C to stop.")) resolve();
    });
    child.once("exit", (code) =>
      reject(new Error(`the demo ended (${String(code ?? "by a signal")}): ${stdout}`)),
    );
  });
  return { child, stdout };
}

/** Runs `node dist/src/cli.js ARGS` as the platform would, retry waits shrunk unless overridden. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return runProgram(process.execPath, [CLI, ...args], {
    ...options,
    env: { ...process.env, SOURCE_AMPLITUDE_CHARTS_RETRY_DELAY_SCALE: "0.001", ...options.env },
  });
}

/** Runs any program to its end, collecting its output; kills it and rejects after the timeout. */
export function runProgram(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.cwd !== undefined && { cwd: options.cwd }),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`timed out after ${timeoutMs} ms: ${file} ${args.join(" ")}\nstderr: ${stderr}`),
      );
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const tempFolders: string[] = [];

// Each test file evaluates this module afresh, so its folders go when its tests end.
afterAll(() => {
  for (const dir of tempFolders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes JSON files into a fresh temp folder (removed after the test file); returns their paths by name. */
export function jsonFiles(files: Record<string, unknown>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "amplitude-charts-test-"));
  tempFolders.push(dir);
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    paths[name] = join(dir, `${name}.json`);
    writeFileSync(paths[name], typeof content === "string" ? content : JSON.stringify(content));
  }
  return paths;
}

/** A configured catalog selecting `streams`, full refresh, as the platform writes it. */
export function configuredCatalog(streams: string[], syncMode = "full_refresh"): unknown {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ["full_refresh"] },
      sync_mode: syncMode,
      destination_sync_mode: "overwrite",
    })),
  };
}

/** One configured stream as the connector acceptance tests write it: unset optionals are null. */
export function catConfiguredStream(name: string, syncMode: unknown = "full_refresh") {
  return {
    stream: {
      name,
      json_schema: { type: "object" },
      supported_sync_modes: ["full_refresh"],
      source_defined_cursor: null,
      default_cursor_field: null,
      source_defined_primary_key: null,
      namespace: null,
      is_resumable: null,
    },
    sync_mode: syncMode,
    destination_sync_mode: "overwrite",
    cursor_field: null,
    primary_key: null,
    generation_id: null,
    minimum_generation_id: null,
    sync_id: null,
  };
}

/** CAT's catalog for test_airbyte_trace_message_on_failure: an unknown stream, sync mode INVALID. */
export const INVALID_CATALOG = {
  streams: [
    {
      stream: {
        name: "__AIRBYTE__stream_that_does_not_exist",
        json_schema: { type: "object", properties: { f1: { type: "string" } } },
        supported_sync_modes: ["full_refresh"],
      },
      sync_mode: "INVALID",
      destination_sync_mode: "INVALID",
    },
  ],
};
