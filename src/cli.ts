#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// undici parses HTTP with a WebAssembly build of llhttp. V8's optimising tier recompiles it
// at the first connection, which costs ~30 MB of peak memory and no measurable speed (92 MB
// downloaded in the same time either way); the baseline compiler is enough. It must be set
// before undici loads, hence the dynamic import below.
setFlagsFromString("--liftoff-only");
const { main } = await import("./entrypoint.js");
const { Interrupted } = await import("./errors.js");

/**
 * SIGTERM (`docker stop`, the platform) and SIGINT (Ctrl-C) stop the command: it ends its
 * downloads, removes its spool and says why, between two lines. As the first process of a
 * container, node gets no default handling of these signals: without handlers they would be
 * ignored. Should the stop take too long, the process ends anyway, well within the 5 s
 * contract (and Docker's 10 s before its SIGKILL).
 */
const stop = new AbortController();
const FORCED_EXIT_AFTER_MS = 4_000;
for (const name of ["SIGTERM", "SIGINT"] as const) {
  process.once(name, () => {
    const interrupted = new Interrupted(name);
    stop.abort(interrupted);
    setTimeout(() => process.exit(interrupted.exitCode), FORCED_EXIT_AFTER_MS).unref();
  });
}

// Set the exit code and let stdout drain: never process.exit() with output pending.
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: stop.signal,
});
