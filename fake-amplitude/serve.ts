import { FakeAmplitude } from "./server.js";
import { sampleProject } from "./sample-charts.js";

/**
 * `npm run fake -- --port 8089`: the fake Amplitude, serving the sample project (the
 * Dashboard API's three charts and the Developer API's view of them) on 127.0.0.1 until
 * SIGTERM or SIGINT. `integration_tests/*.json` name port 8089, so a real CAT run (or a
 * `docker run --network host`) can use it. Prints one line, `fake Amplitude at URL`, once
 * it listens; exits 0 when stopped, 1 when it cannot listen, 2 on a bad command line.
 */
const DEFAULT_PORT = 8089;

const USAGE = `usage: npm run fake [-- --port PORT]
       node dist/fake-amplitude/serve.js [--port PORT]

Serves the fake Amplitude's sample project (fake-amplitude/sample-charts.ts) on
127.0.0.1:PORT (default ${DEFAULT_PORT}; 0 picks a free port) until Ctrl-C or SIGTERM.`;

/** The port a command line asks for; throws a one-line reason for a bad command line. */
function parsePort(argv: string[]): number | "help" {
  let port = DEFAULT_PORT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    let value: string | undefined;
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--port") value = argv[++i];
    else if (arg.startsWith("--port=")) value = arg.slice("--port=".length);
    else throw new Error(`unknown argument "${arg}"`);
    if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535) {
      throw new Error(`--port needs a port number from 0 to 65535, not "${value ?? ""}"`);
    }
    port = Number(value);
  }
  return port;
}

async function main(): Promise<void> {
  let port: number | "help";
  try {
    port = parsePort(process.argv.slice(2));
  } catch (error) {
    console.error(`fake Amplitude: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (port === "help") {
    console.error(USAGE);
    return;
  }
  // Listening for the signals before the line is printed: whoever reads the line may stop it.
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  const fake = new FakeAmplitude(sampleProject());
  try {
    console.log(`fake Amplitude at ${await fake.start(port)}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "EADDRINUSE" ? `port ${port} is in use` : (error as Error).message;
    console.error(`fake Amplitude: cannot listen on 127.0.0.1:${port}: ${why}.`);
    process.exitCode = 1;
    process.removeAllListeners("SIGINT").removeAllListeners("SIGTERM");
    return;
  }
  await stopped;
  await fake.stop();
}

await main();
