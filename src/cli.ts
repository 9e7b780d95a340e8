#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";

// undici parses HTTP with a WebAssembly build of llhttp. V8's optimising tier recompiles it
// at the first connection, which costs ~30 MB of peak memory and no measurable speed (92 MB
// downloaded in the same time either way); the baseline compiler is enough. It must be set
// before undici loads, hence the dynamic import below.
setFlagsFromString("--liftoff-only");
const { main } = await import("./entrypoint.js");

// Set the exit code and let stdout drain: never process.exit() with output pending.
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
