import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { jsonSyntaxError } from "./json-syntax.js";

/**
 * A JSON file named on the command line (config, catalog), parsed. A file that cannot be
 * read or is not JSON is a usage error that says where and why (line and column), and
 * never quotes the file: a config file holds keys.
 */
export async function readJsonFile(
  path: string,
  what: string,
  options: { jsonLines?: boolean } = {},
): Promise<unknown> {
  const text = await readTextFile(path, what);
  if (options.jsonLines) {
    const lines = jsonLines(text);
    if (lines) return lines;
  }
  return parseJsonText(text, path, what);
}

/** A command's output saved whole (several JSON lines) as their list; undefined otherwise. */
function jsonLines(text: string): unknown[] | undefined {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines.length < 2) return undefined;
  try {
    return lines.map((line) => JSON.parse(line) as unknown);
  } catch {
    return undefined;
  }
}

export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${readProblem(error)}.`);
  }
}

export function parseJsonText(raw: string, path: string, what: string): unknown {
  // Some editors save a byte-order mark; JSON.parse does not take one.
  const text = raw.replace(/^\uFEFF/, "");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const syntax = jsonSyntaxError(text);
    const where = syntax
      ? syntax.problem === "the file is empty"
        ? syntax.problem
        : `line ${syntax.line}, column ${syntax.column}: ${syntax.problem}`
      : "it could not be parsed";
    throw new UsageError(`the ${what} file ${path} is not valid JSON (${where}).`);
  }
}

/** The user the connector runs as; undefined parts where the platform has no such notion. */
export interface ProcessIds {
  uid: number | undefined;
  gid: number | undefined;
}

const processIds = (): ProcessIds => ({ uid: process.getuid?.(), gid: process.getgid?.() });

/**
 * Why a file could not be read, for the usage error. "permission denied" names the uid and
 * gid the connector runs as: under Kubernetes or OpenShift that is often an arbitrary uid
 * (with gid 0), not the image's uid 1000, and a config kept private for uid 1000 is then
 * unreadable.
 */
export function readProblem(error: unknown, ids: ProcessIds = processIds()): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
      if (ids.uid === undefined) return "permission denied";
      return (
        `permission denied; the connector runs as uid ${ids.uid}, gid ${ids.gid ?? "unknown"}. ` +
        `Make the file readable by that uid or gid: on the host, chown ${ids.uid} the file you mount ` +
        `(it may stay mode 600), or chgrp ${ids.gid ?? 0} it and chmod 640; under Kubernetes, ` +
        "set the volume's defaultMode or the pod's fsGroup"
      );
    case "EISDIR":
      return "it is a folder, not a file";
    default:
      return String(code ?? error);
  }
}
