#!/usr/bin/env node
import { main } from "./entrypoint.js";

// Set the exit code and let stdout drain: never process.exit() with output pending.
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
