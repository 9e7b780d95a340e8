import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";

/**
 * The Airbyte protocol schema (airbyte_protocol.yaml from airbytehq/airbyte-protocol, commit
 * 776eede060a60516ec4d7ea20c1204fa806689a1, protocol 0.18.0). It is not ours to copy into the
 * repo: it is read from ../shared/airbyte beside the checkout (where every developer and CI
 * run has it), or from AIRBYTE_PROTOCOL_YAML.
 */
const here = dirname(fileURLToPath(import.meta.url));
export const PROTOCOL_YAML =
  process.env.AIRBYTE_PROTOCOL_YAML ??
  join(here, "..", "..", "..", "shared", "airbyte", "airbyte_protocol.yaml");

function protocolSchema(): Record<string, unknown> {
  if (!existsSync(PROTOCOL_YAML)) {
    throw new Error(
      `The Airbyte protocol schema is not at ${PROTOCOL_YAML}. Put airbyte_protocol.yaml from ` +
        "github.com/airbytehq/airbyte-protocol (protocol-models/src/main/resources/airbyte_protocol/v0/) " +
        "at ../shared/airbyte/ beside the checkout, or set AIRBYTE_PROTOCOL_YAML to its path.",
    );
  }
  return parse(readFileSync(PROTOCOL_YAML, "utf8")) as Record<string, unknown>;
}

let messageValidator: ValidateFunction | undefined;
let catalogValidator: ValidateFunction | undefined;

function compile(): void {
  const schema = protocolSchema();
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ ...schema, $id: "airbyte_protocol" });
  messageValidator = ajv.getSchema("airbyte_protocol#/definitions/AirbyteMessage");
  catalogValidator = ajv.getSchema("airbyte_protocol#/definitions/ConfiguredAirbyteCatalog");
}

/** Throws with the schema's complaint if `message` is not a valid AirbyteMessage. */
export function assertAirbyteMessage(message: unknown): void {
  if (!messageValidator) compile();
  const validate = messageValidator as ValidateFunction;
  if (!validate(message)) {
    throw new Error(
      `not an AirbyteMessage: ${JSON.stringify(validate.errors)}\n${JSON.stringify(message).slice(0, 500)}`,
    );
  }
}

export function assertConfiguredCatalog(catalog: unknown): void {
  if (!catalogValidator) compile();
  const validate = catalogValidator as ValidateFunction;
  if (!validate(catalog))
    throw new Error(`not a ConfiguredAirbyteCatalog: ${JSON.stringify(validate.errors)}`);
}

export interface Message {
  type: string;
  [key: string]: unknown;
}

/** stdout as messages: every line must be JSON and a valid AirbyteMessage. */
export function parseMessages(stdout: string): Message[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        throw new Error(`stdout line is not JSON: ${line.slice(0, 300)}`);
      }
      assertAirbyteMessage(message);
      return message as Message;
    });
}

/** Small views over a message list. */
export const records = (messages: Message[], stream?: string): Record<string, unknown>[] =>
  messages
    .filter((m) => m.type === "RECORD")
    .map((m) => m.record as { stream: string; data: Record<string, unknown> })
    .filter((r) => stream === undefined || r.stream === stream)
    .map((r) => r.data);

export const statuses = (messages: Message[], stream: string): string[] =>
  messages
    .filter((m) => m.type === "TRACE" && (m.trace as { type: string }).type === "STREAM_STATUS")
    .map(
      (m) =>
        (m.trace as { stream_status: { stream_descriptor: { name: string }; status: string } })
          .stream_status,
    )
    .filter((s) => s.stream_descriptor.name === stream)
    .map((s) => s.status);

export interface ErrorTrace {
  message: string;
  failure_type: string;
  internal_message?: string;
  stack_trace?: string;
  stream_descriptor?: { name: string };
}

export const errorTraces = (messages: Message[]): ErrorTrace[] =>
  messages
    .filter((m) => m.type === "TRACE" && (m.trace as { type: string }).type === "ERROR")
    .map((m) => (m.trace as { error: ErrorTrace }).error);

export const logs = (messages: Message[], level?: string): string[] =>
  messages
    .filter((m) => m.type === "LOG")
    .map((m) => m.log as { level: string; message: string })
    .filter((l) => level === undefined || l.level === level)
    .map((l) => l.message);

/** The STATE messages of `stream`, as their `sourceStats.recordCount`. */
export const stateCounts = (messages: Message[], stream: string): number[] =>
  messages
    .filter((m) => m.type === "STATE")
    .map(
      (m) =>
        m.state as {
          stream?: { stream_descriptor: { name: string } };
          sourceStats?: { recordCount?: number };
        },
    )
    .filter((s) => s.stream?.stream_descriptor.name === stream)
    .map((s) => s.sourceStats?.recordCount ?? Number.NaN);

/**
 * The fields of a chart record, in the order the contract gives them (contract.md,
 * "Streams"). Written out here, not imported from src/, so the tests can catch a wrong order.
 */
export const CHART_RECORD_FIELDS = [
  "chart_id",
  "dimension_name",
  "dimension_value",
  "segment",
  "value",
  "dimensions",
];
