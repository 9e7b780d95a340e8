import { spawn } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SAMPLE_API_KEY, SAMPLE_SECRET_KEY } from "../../fake-amplitude/sample-charts.js";
import { SAMPLE_DEVELOPER_API_TOKEN } from "../../fake-amplitude/developer-api.js";
import { runProgram } from "../helpers/run-cli.js";

/**
 * `npm run fake -- --port PORT` (the built `dist/fake-amplitude/serve.js`): the fake
 * Amplitude that a real CAT run, `docker run --network host` and a contributor use.
 */
const SERVE = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "dist",
  "fake-amplitude",
  "serve.js",
);

const started: { kill(signal: NodeJS.Signals): void }[] = [];
afterAll(() => {
  for (const child of started) child.kill("SIGKILL");
});

/** Starts the command; resolves with its first stdout line and a way to stop it. */
async function serve(args: string[]) {
  const child = spawn(process.execPath, [SERVE, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0] as string);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code ?? "a signal"}: ${stderr}`)));
  });
  const line = await firstLine;
  const stop = async (signal: NodeJS.Signals) => {
    const exited = once(child, "exit") as Promise<[number | null, string | null]>;
    child.kill(signal);
    const [code] = await exited;
    return { code, stdout, stderr };
  };
  return { line, stop };
}

const basic = `Basic ${Buffer.from(`${SAMPLE_API_KEY}:${SAMPLE_SECRET_KEY}`).toString("base64")}`;

describe("npm run fake", () => {
  it("serves the sample project on the port it is given, in one line, until SIGTERM", async () => {
    const { line, stop } = await serve(["--port", "0"]);
    expect(line).toMatch(/^fake Amplitude at http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.slice("fake Amplitude at ".length);

    const chart = await fetch(`${url}/api/3/chart/k2d8s0a1/csv`, {
      headers: { authorization: basic },
    });
    expect(chart.status).toBe(200);
    expect(((await chart.json()) as { data: string }).data).toContain("Daily Active Users");
    const wrongKey = await fetch(`${url}/api/3/chart/k2d8s0a1/csv`);
    expect(wrongKey.status).toBe(401);
    const developerApi = await fetch(`${url}/v1/projects`, {
      headers: { authorization: `Bearer PAT=${SAMPLE_DEVELOPER_API_TOKEN}` },
    });
    expect(developerApi.status).toBe(200);

    const { code, stdout, stderr } = await stop("SIGTERM");
    expect(code).toBe(0);
    expect(stdout).toBe(`${line}\n`);
    expect(stderr).toBe("");
  });

  it("stops cleanly on SIGINT (Ctrl-C) too", async () => {
    const { stop } = await serve(["--port=0"]);
    expect((await stop("SIGINT")).code).toBe(0);
  });

  it("a port in use: one line on stderr, exit code 1", async () => {
    const { line, stop } = await serve(["--port", "0"]);
    const port = line.slice(line.lastIndexOf(":") + 1);
    const second = await runProgram(process.execPath, [SERVE, "--port", port]);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe("");
    expect(second.stderr).toBe(
      `fake Amplitude: cannot listen on 127.0.0.1:${port}: port ${port} is in use.\n`,
    );
    await stop("SIGTERM");
  });

  it("a bad command line: the reason and the usage, exit code 2", async () => {
    const result = await runProgram(process.execPath, [SERVE, "--port", "http"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^fake Amplitude: --port needs a port number/);
    expect(result.stderr).toContain("usage: npm run fake [-- --port PORT]");
  });
});
