import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type Options, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import { isObject } from "../../src/json.js";

/**
 * Every message and catalog the tests see is checked against our own schema of the Airbyte
 * protocol (airbyte-protocol.schema.json beside this file), and also against the official
 * airbyte_protocol.yaml (airbytehq/airbyte-protocol, protocol 0.18.0) when it is at hand: it
 * is not ours to copy into the repository, so a plain clone runs with ours alone.
 */
const here = dirname(fileURLToPath(import.meta.url));

export const OUR_PROTOCOL_SCHEMA = join(here, "airbyte-protocol.schema.json");

/** Where developers and CI keep the official file: ../shared/airbyte beside the checkout. */
export const OFFICIAL_PROTOCOL_BESIDE_CHECKOUT = join(
  here,
  "..",
  "..",
  "..",
  "shared",
  "airbyte",
  "airbyte_protocol.yaml",
);

type Env = Record<string, string | undefined>;

/**
 * The official airbyte_protocol.yaml the tests check against as well, or undefined when there
 * is none (then only ours): $AIRBYTE_PROTOCOL_YAML if set and not empty (the file must then
 * exist), else the file beside the checkout if it is there. With REQUIRE_OFFICIAL_PROTOCOL=1
 * (CI sets it, so CI always checks both) a missing official file is an error.
 */
export function officialProtocolSchema(
  env: Env = process.env,
  besideCheckout: string = OFFICIAL_PROTOCOL_BESIDE_CHECKOUT,
): string | undefined {
  const named = env.AIRBYTE_PROTOCOL_YAML;
  if (named) {
    if (!existsSync(named)) {
      throw new Error(`AIRBYTE_PROTOCOL_YAML is ${named}, but there is no file there.`);
    }
    return named;
  }
  if (existsSync(besideCheckout)) return besideCheckout;
  if (env.REQUIRE_OFFICIAL_PROTOCOL === "1") {
    throw new Error(
      `REQUIRE_OFFICIAL_PROTOCOL=1, but the official Airbyte protocol schema is not at ${besideCheckout}. ` +
        "Put airbyte_protocol.yaml from github.com/airbytehq/airbyte-protocol " +
        "(protocol-models/src/main/resources/airbyte_protocol/v0/) there, or set AIRBYTE_PROTOCOL_YAML to its path.",
    );
  }
  return undefined;
}

/** One schema of the protocol, as the checks below use it. */
export interface ProtocolSchema {
  /** Names the schema in failures and reports, with its file. */
  label: string;
  /** Why this schema rejects `message` as an AirbyteMessage; undefined if it accepts it. */
  messageComplaint(message: unknown): string | undefined;
  /** Why this schema rejects `catalog` as a ConfiguredAirbyteCatalog; undefined if it accepts it. */
  catalogComplaint(catalog: unknown): string | undefined;
}

const DEFINITIONS = ["AirbyteMessage", "ConfiguredAirbyteCatalog"] as const;
type Validators = Record<(typeof DEFINITIONS)[number], ValidateFunction>;

/**
 * Compiling the official schema takes a second or more, and every test file would pay it
 * (vitest evaluates the helpers afresh per file). So the validators are compiled once, as
 * ajv's standalone code, into node_modules/.cache, keyed by the schema and ajv's options,
 * and later files (and runs) load that code.
 */
const CACHE = join(here, "..", "..", "node_modules", ".cache", "protocol-validators");
const load = createRequire(import.meta.url);

function compiledValidators(
  label: string,
  options: Options,
  schemaText: string,
  parseSchema: (text: string) => Record<string, unknown>,
): Validators {
  const { version } = load("ajv/package.json") as { version: string };
  const key = createHash("sha256")
    .update(JSON.stringify([options, version, schemaText]))
    .digest("hex")
    .slice(0, 16);
  const file = join(CACHE, `${key}.cjs`);
  if (existsSync(file)) return load(file) as Validators;
  const schema = parseSchema(schemaText);
  const ajv = new Ajv({ ...options, code: { source: true } });
  // One fixed $id, whatever the file says, so that both are addressed the same way.
  ajv.addSchema({ ...schema, $id: "protocol" });
  const refs = Object.fromEntries(
    DEFINITIONS.map((name) => {
      if (!ajv.getSchema(`protocol#/definitions/${name}`)) {
        throw new Error(`${label} has no definitions/${name}`);
      }
      return [name, `protocol#/definitions/${name}`];
    }),
  );
  mkdirSync(CACHE, { recursive: true });
  // Written whole, then renamed: a file another worker reads is never half written.
  const partial = `${file}.${process.pid}`;
  const { default: standaloneCode } = load("ajv/dist/standalone/index.js") as {
    default: (ajv: Ajv, refs: Record<string, string>) => string;
  };
  writeFileSync(partial, standaloneCode(ajv, refs));
  renameSync(partial, file);
  return load(file) as Validators;
}

function protocolSchema(
  label: string,
  options: Options,
  schemaText: string,
  parseSchema: (text: string) => Record<string, unknown>,
  prepareCatalog: (catalog: unknown) => unknown,
): ProtocolSchema {
  const validators = compiledValidators(label, options, schemaText, parseSchema);
  const validateMessage = validators.AirbyteMessage;
  const validateCatalog = validators.ConfiguredAirbyteCatalog;
  const complaint = (validate: ValidateFunction, value: unknown): string | undefined => {
    if (validate(value)) return undefined;
    // "must match then schema" only repeats the errors under it; one line per distinct error.
    const errors = (validate.errors ?? []).filter((error) => error.keyword !== "if");
    const lines = errors.map(
      (error) => `${error.instancePath || "the value"} ${error.message ?? error.keyword}`,
    );
    return [...new Set(lines)].join("; ");
  };
  return {
    label,
    messageComplaint: (message) => complaint(validateMessage, message),
    catalogComplaint: (catalog) => complaint(validateCatalog, prepareCatalog(catalog)),
  };
}

/** Our schema, compiled strictly so that a keyword it misspells is an error, not a no-op. */
export function loadOurSchema(): ProtocolSchema {
  return protocolSchema(
    `our schema (${OUR_PROTOCOL_SCHEMA})`,
    { strict: true, allErrors: true },
    readFileSync(OUR_PROTOCOL_SCHEMA, "utf8"),
    (text) => JSON.parse(text) as Record<string, unknown>,
    (catalog) => catalog,
  );
}

const withoutNulls = (value: unknown): unknown =>
  isObject(value)
    ? Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null))
    : value;

/**
 * The catalog with its null fields dropped from each configured stream and its stream (not
 * deeper: json_schema is left alone). The acceptance tests write null for every unset optional
 * field, as their pydantic models read it; the official schema has no null for those fields,
 * so it is shown the catalog the way those models understand it. A null in a required field
 * becomes a missing field, which the official schema still rejects.
 */
export function withoutUnsetOptionals(catalog: unknown): unknown {
  if (!isObject(catalog) || !Array.isArray(catalog.streams)) return catalog;
  return {
    ...catalog,
    streams: catalog.streams.map((configured: unknown) => {
      const stripped = withoutNulls(configured);
      return isObject(stripped) && "stream" in stripped
        ? { ...stripped, stream: withoutNulls(stripped.stream) }
        : stripped;
    }),
  };
}

/**
 * The official schema from `path`. Catalogs are shown to it without their unset (null)
 * optionals, unless `catalogsAsWritten` (to see what it says of the nulls themselves).
 */
export function loadOfficialSchema(path: string, catalogsAsWritten = false): ProtocolSchema {
  // Not strict: the file has keywords of its own (existingJavaType); formats are left unchecked.
  return protocolSchema(
    `the official schema (${path})`,
    { strict: false, allErrors: true, validateFormats: false },
    readFileSync(path, "utf8"),
    (text) => parse(text) as Record<string, unknown>,
    catalogsAsWritten ? (catalog) => catalog : withoutUnsetOptionals,
  );
}

let schemasInUse: ProtocolSchema[] | undefined;

/** The schemas every check uses: ours, then the official one when available (see above). */
export function protocolSchemasInUse(): ProtocolSchema[] {
  if (!schemasInUse) {
    const official = officialProtocolSchema();
    schemasInUse = [loadOurSchema(), ...(official ? [loadOfficialSchema(official)] : [])];
  }
  return schemasInUse;
}

/** Throws with the first complaint, naming the schema, if `message` is not a valid AirbyteMessage. */
export function assertAirbyteMessage(message: unknown): void {
  for (const schema of protocolSchemasInUse()) {
    const complaint = schema.messageComplaint(message);
    if (complaint !== undefined) {
      throw new Error(
        `not an AirbyteMessage by ${schema.label}: ${complaint}\n${JSON.stringify(message).slice(0, 500)}`,
      );
    }
  }
}

export function assertConfiguredCatalog(catalog: unknown): void {
  for (const schema of protocolSchemasInUse()) {
    const complaint = schema.catalogComplaint(catalog);
    if (complaint !== undefined) {
      throw new Error(`not a ConfiguredAirbyteCatalog by ${schema.label}: ${complaint}`);
    }
  }
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
  "period_start",
];

/**
 * The fields of a charts_metadata record, in the contract's order: the export's, then the
 * Developer API's (present only with a token). Written out here, like CHART_RECORD_FIELDS.
 */
export const EXPORT_METADATA_FIELDS = [
  "chart_id",
  "title",
  "description",
  "metric",
  "event",
  "dimension",
  "filters",
];
export const METADATA_RECORD_FIELDS = [
  ...EXPORT_METADATA_FIELDS,
  "chart_type",
  "url",
  "group_by",
  "definition",
  "updated_at",
];

/**
 * A validator of a stream's records against its json_schema, as a destination reads it:
 * `date-time` is the local timestamp period_start holds (timestamp_without_timezone).
 */
export function recordValidator(schema: object): ValidateFunction {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  return ajv.compile(schema);
}
