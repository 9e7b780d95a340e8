import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";

/**
 * A JSON file named on the command line (config, catalog, state), parsed. A file that
 * cannot be read or is not JSON is a usage error that says where and why, and never
 * quotes the file: a config file holds keys.
 */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${readProblem(error)}.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(
      `the ${what} file ${path} is not valid JSON (${jsonProblem(text, error)}).`,
    );
  }
}

function readProblem(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
      return "permission denied";
    case "EISDIR":
      return "it is a folder, not a file";
    default:
      return String(code ?? error);
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
