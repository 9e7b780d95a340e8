import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  assertAirbyteMessage,
  assertConfiguredCatalog,
  loadOfficialSchema,
  loadOurSchema,
  officialProtocolSchema,
  OUR_PROTOCOL_SCHEMA,
  protocolSchemasInUse,
  type ProtocolSchema,
} from "../helpers/protocol.js";
import {
  catConfiguredStream,
  configuredCatalog,
  INVALID_CATALOG,
  jsonFiles,
} from "../helpers/run-cli.js";

/**
 * Our schema of the protocol against the official one: both accept what the connector prints,
 * both reject what is broken, and where ours is stricter the official one is shown to accept
 * (so each such case is a choice of ours, not a disagreement about the protocol).
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(ROOT, path), "utf8"));

// Whether the official file is here, without REQUIRE_OFFICIAL_PROTOCOL: the test that reports
// the schemas in use is the one that fails when it is required and missing.
const officialPath = officialProtocolSchema({
  ...process.env,
  REQUIRE_OFFICIAL_PROTOCOL: undefined,
});
const hasOfficial = officialPath !== undefined;
const ours = loadOurSchema();
const official = officialPath === undefined ? undefined : loadOfficialSchema(officialPath);

function theOfficial(): ProtocolSchema {
  if (!official) throw new Error("the official schema is not available");
  return official;
}

function theOfficialFile(): string {
  if (officialPath === undefined) throw new Error("the official schema is not available");
  return officialPath;
}

type Json = Record<string, unknown>;

/** `value` as it reads after a JSON round trip: fields set to undefined are gone. */
const json = <T extends Json>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** `object` without `key`: a sample missing one field. */
function omit(object: Json, key: string): Json {
  return Object.fromEntries(Object.entries(object).filter(([name]) => name !== key));
}

const EMITTED_AT = 1_780_000_000_000;

const record = (fields: Json): { record: Json } =>
  json({
    type: "RECORD",
    record: {
      stream: "chart_abc123de",
      data: { chart_id: "abc123de", value: 3 },
      emitted_at: EMITTED_AT,
      ...fields,
    },
  });
const trace = (fields: Json): Json =>
  json({ type: "TRACE", trace: { emitted_at: EMITTED_AT, ...fields } });
const streamStatus = (fields: Json): Json =>
  trace({
    type: "STREAM_STATUS",
    stream_status: { stream_descriptor: { name: "chart_abc123de" }, status: "RUNNING", ...fields },
  });
const rateLimited = (reason: Json): Json => streamStatus({ reasons: [reason] });
const errorTrace = (fields: Json): Json =>
  trace({
    type: "ERROR",
    error: { message: "Chart abc123de is not found.", failure_type: "config_error", ...fields },
  });
const log = (fields: Json): Json =>
  json({ type: "LOG", log: { level: "INFO", message: "reading 2 charts", ...fields } });
const state = (fields: Json): Json =>
  json({
    type: "STATE",
    state: {
      type: "STREAM",
      stream: { stream_descriptor: { name: "chart_abc123de" }, stream_state: {} },
      sourceStats: { recordCount: 12 },
      ...fields,
    },
  });
const discoveredStream: Json = {
  name: "chart_abc123de",
  json_schema: { type: "object", properties: { chart_id: { type: "string" } } },
  supported_sync_modes: ["full_refresh"],
  source_defined_primary_key: [["chart_id"], ["dimension_value"], ["segment"]],
  is_resumable: false,
};
const catalog = (stream: Json): Json => ({ type: "CATALOG", catalog: { streams: [stream] } });
const connectionStatus = (fields: Json): Json =>
  json({
    type: "CONNECTION_STATUS",
    connectionStatus: { status: "SUCCEEDED", message: "Read 2 charts.", ...fields },
  });
const spec = readJson("spec.json") as Json;

/** [what it is, the message]: one of each kind the connector prints, and their variants. */
const VALID_MESSAGES: [string, unknown][] = [
  ["SPEC from spec.json", { type: "SPEC", spec }],
  ["CATALOG of a discovered chart stream", catalog(discoveredStream)],
  ["CONNECTION_STATUS SUCCEEDED", connectionStatus({})],
  [
    "CONNECTION_STATUS FAILED with its reason",
    connectionStatus({ status: "FAILED", message: "401" }),
  ],
  ["LOG", log({})],
  ["LOG ERROR with a stack trace", log({ level: "ERROR", stack_trace: "Error: x\n    at y" })],
  ["RECORD", record({})],
  [
    "RECORD with null values",
    record({ data: { chart_id: "abc123de", value: null, dimensions: null } }),
  ],
  ["RECORD with a namespace", record({ namespace: "amplitude" })],
  ["STATE of type STREAM with sourceStats", state({})],
  ["STATE of an empty stream (recordCount 0)", state({ sourceStats: { recordCount: 0 } })],
  ["STREAM_STATUS STARTED", streamStatus({ status: "STARTED" })],
  [
    "STREAM_STATUS INCOMPLETE of a namespaced stream",
    streamStatus({ status: "INCOMPLETE", stream_descriptor: { name: "s", namespace: "n" } }),
  ],
  [
    "STREAM_STATUS RUNNING, RATE_LIMITED with quota_reset",
    rateLimited({ type: "RATE_LIMITED", rate_limited: { quota_reset: EMITTED_AT + 60_000 } }),
  ],
  [
    "STREAM_STATUS RUNNING, RATE_LIMITED without a known reset",
    rateLimited({ type: "RATE_LIMITED", rate_limited: {} }),
  ],
  ["TRACE ERROR without stream_descriptor", errorTrace({})],
  [
    "TRACE ERROR with stream_descriptor, internal message and stack trace",
    errorTrace({
      failure_type: "transient_error",
      internal_message: "HTTP 503",
      stack_trace: "Error: HTTP 503\n    at z",
      stream_descriptor: { name: "chart_abc123de" },
    }),
  ],
  ["TRACE ERROR system_error", errorTrace({ failure_type: "system_error" })],
];

/**
 * [what is wrong, the message, the complaint]: both schemas must give the complaint (a part of
 * it, or a pattern where they word it differently), so each case fails for the reason it names.
 */
type Broken = [string, unknown, string | RegExp];

const INVALID_MESSAGES: Broken[] = [
  ["not an object", "RECORD", "the value must be object"],
  ["no type", omit(record({}), "type"), "the value must have required property 'type'"],
  [
    "an unknown type",
    { ...record({}), type: "RECORDS" },
    "/type must be equal to one of the allowed values",
  ],
  [
    "SPEC without connectionSpecification",
    { type: "SPEC", spec: omit(spec, "connectionSpecification") },
    "/spec must have required property 'connectionSpecification'",
  ],
  [
    "CATALOG without streams",
    { type: "CATALOG", catalog: {} },
    "/catalog must have required property 'streams'",
  ],
  [
    "CATALOG stream without json_schema",
    catalog(omit(discoveredStream, "json_schema")),
    "/catalog/streams/0 must have required property 'json_schema'",
  ],
  [
    "CATALOG stream with an unknown sync mode",
    catalog({ ...discoveredStream, supported_sync_modes: ["full"] }),
    "/catalog/streams/0/supported_sync_modes/0 must be equal to one of the allowed values",
  ],
  [
    "CATALOG stream with no sync modes",
    catalog({ ...discoveredStream, supported_sync_modes: [] }),
    "/catalog/streams/0/supported_sync_modes must NOT have fewer than 1 items",
  ],
  [
    "CATALOG stream whose primary key is not a list of paths",
    catalog({ ...discoveredStream, source_defined_primary_key: ["chart_id"] }),
    "/catalog/streams/0/source_defined_primary_key/0 must be array",
  ],
  [
    "CONNECTION_STATUS without status",
    { type: "CONNECTION_STATUS", connectionStatus: { message: "ok" } },
    "/connectionStatus must have required property 'status'",
  ],
  [
    "CONNECTION_STATUS with an unknown status",
    connectionStatus({ status: "OK" }),
    "/connectionStatus/status must be equal to one of the allowed values",
  ],
  [
    "LOG with an unknown level",
    log({ level: "WARNING" }),
    "/log/level must be equal to one of the allowed values",
  ],
  [
    "LOG without a message",
    log({ message: undefined }),
    "/log must have required property 'message'",
  ],
  [
    "LOG with a stack trace that is not a string",
    log({ stack_trace: ["at y"] }),
    "/log/stack_trace must be string",
  ],
  [
    "RECORD without emitted_at",
    record({ emitted_at: undefined }),
    "/record must have required property 'emitted_at'",
  ],
  [
    "RECORD with a fractional emitted_at",
    record({ emitted_at: EMITTED_AT + 0.5 }),
    "/record/emitted_at must be integer",
  ],
  [
    "RECORD with emitted_at as a date string",
    record({ emitted_at: "2026-05-28T00:00:00Z" }),
    "/record/emitted_at must be integer",
  ],
  [
    "RECORD without stream",
    record({ stream: undefined }),
    "/record must have required property 'stream'",
  ],
  [
    "RECORD without data",
    record({ data: undefined }),
    "/record must have required property 'data'",
  ],
  [
    "RECORD whose data is not an object",
    record({ data: ["abc123de", 3] }),
    "/record/data must be object",
  ],
  [
    "RECORD with a namespace that is not a string",
    record({ namespace: 7 }),
    "/record/namespace must be string",
  ],
  ["STATE of an unknown type", state({ type: "PER_STREAM" }), "/state/type must be equal to"],
  [
    "STATE stream without stream_descriptor",
    state({ stream: { stream_state: {} } }),
    "/state/stream must have required property 'stream_descriptor'",
  ],
  [
    "STATE whose stream_state is not an object",
    state({ stream: { stream_descriptor: { name: "s" }, stream_state: "done" } }),
    "/state/stream/stream_state must be object",
  ],
  [
    "STATE with recordCount as a string",
    state({ sourceStats: { recordCount: "12" } }),
    /\/state\/sourceStats\/recordCount must be (integer|number)/,
  ],
  [
    "TRACE without emitted_at",
    { type: "TRACE", trace: omit(errorTrace({}).trace as Json, "emitted_at") },
    "/trace must have required property 'emitted_at'",
  ],
  [
    "TRACE of an unknown type",
    trace({ type: "WARNING" }),
    "/trace/type must be equal to one of the allowed values",
  ],
  [
    "TRACE ERROR with an unknown failure_type",
    errorTrace({ failure_type: "user_error" }),
    "/trace/error/failure_type must be equal to one of the allowed values",
  ],
  [
    "TRACE ERROR without a message",
    errorTrace({ message: undefined }),
    "/trace/error must have required property 'message'",
  ],
  [
    "TRACE ERROR whose stream_descriptor has no name",
    errorTrace({ stream_descriptor: { namespace: "n" } }),
    "/trace/error/stream_descriptor must have required property 'name'",
  ],
  [
    "STREAM_STATUS with an unknown status",
    streamStatus({ status: "DONE" }),
    "/trace/stream_status/status must be equal to one of the allowed values",
  ],
  [
    "STREAM_STATUS without status",
    streamStatus({ status: undefined }),
    "/trace/stream_status must have required property 'status'",
  ],
  [
    "STREAM_STATUS without stream_descriptor",
    streamStatus({ stream_descriptor: undefined }),
    "/trace/stream_status must have required property 'stream_descriptor'",
  ],
  [
    "RATE_LIMITED reason with a fractional quota_reset",
    rateLimited({ type: "RATE_LIMITED", rate_limited: { quota_reset: EMITTED_AT + 0.5 } }),
    "/trace/stream_status/reasons/0/rate_limited/quota_reset must be integer",
  ],
  [
    "RATE_LIMITED reason with quota_reset as a string",
    rateLimited({ type: "RATE_LIMITED", rate_limited: { quota_reset: "soon" } }),
    "/trace/stream_status/reasons/0/rate_limited/quota_reset must be integer",
  ],
  [
    "a reason of an unknown type",
    rateLimited({ type: "THROTTLED", rate_limited: {} }),
    "/trace/stream_status/reasons/0/type must be equal to",
  ],
  [
    "a reason without a type",
    rateLimited({ rate_limited: { quota_reset: EMITTED_AT } }),
    "/trace/stream_status/reasons/0 must have required property 'type'",
  ],
  [
    "reasons that are not a list",
    streamStatus({ reasons: { type: "RATE_LIMITED" } }),
    "/trace/stream_status/reasons must be array",
  ],
];

/** [what ours rejects, the message, our complaint]: the official schema lets these pass. */
const STRICTER_MESSAGES: Broken[] = [
  [
    "a type that does not match its payload",
    { type: "LOG", record: record({}).record },
    "the value must have required property 'log'",
  ],
  [
    "two payloads",
    { ...log({}), record: record({}).record },
    "the value must NOT have additional properties",
  ],
  [
    "a snake_case connection_status",
    { type: "CONNECTION_STATUS", connection_status: { status: "SUCCEEDED" } },
    "the value must have required property 'connectionStatus'",
  ],
  [
    "CONNECTION_STATUS FAILED without a reason",
    connectionStatus({ status: "FAILED", message: undefined }),
    "/connectionStatus must have required property 'message'",
  ],
  [
    "SPEC without documentationUrl",
    { type: "SPEC", spec: omit(spec, "documentationUrl") },
    "/spec must have required property 'documentationUrl'",
  ],
  [
    "SPEC whose connectionSpecification is no object schema",
    { type: "SPEC", spec: { ...spec, connectionSpecification: {} } },
    "/spec/connectionSpecification must have required property 'type'",
  ],
  [
    "CATALOG without streams in it",
    { type: "CATALOG", catalog: { streams: [] } },
    "/catalog/streams must NOT have fewer than 1 items",
  ],
  [
    "CATALOG stream without is_resumable",
    catalog(omit(discoveredStream, "is_resumable")),
    "/catalog/streams/0 must have required property 'is_resumable'",
  ],
  [
    "CATALOG stream without source_defined_primary_key",
    catalog(omit(discoveredStream, "source_defined_primary_key")),
    "/catalog/streams/0 must have required property 'source_defined_primary_key'",
  ],
  [
    "RECORD with an empty stream name",
    record({ stream: "" }),
    "/record/stream must NOT have fewer than 1 characters",
  ],
  [
    "RECORD with a field the connector does not write (meta)",
    record({ meta: { changes: [] } }),
    "/record must NOT have additional properties",
  ],
  [
    "STATE without sourceStats",
    state({ sourceStats: undefined }),
    "/state must have required property 'sourceStats'",
  ],
  [
    "STATE with a snake_case source_stats",
    {
      type: "STATE",
      state: { ...omit(state({}).state as Json, "sourceStats"), source_stats: { recordCount: 1 } },
    },
    "/state must NOT have additional properties",
  ],
  [
    "STATE with a fractional recordCount",
    state({ sourceStats: { recordCount: 2.5 } }),
    "/state/sourceStats/recordCount must be integer",
  ],
  [
    "STATE of type LEGACY",
    { type: "STATE", state: { type: "LEGACY", data: {} } },
    "/state/type must be equal to constant",
  ],
  [
    "TRACE with a fractional emitted_at",
    { type: "TRACE", trace: { ...(errorTrace({}).trace as Json), emitted_at: EMITTED_AT + 0.5 } },
    "/trace/emitted_at must be integer",
  ],
  [
    "TRACE ERROR without failure_type",
    errorTrace({ failure_type: undefined }),
    "/trace/error must have required property 'failure_type'",
  ],
  [
    "TRACE ERROR with a camelCase internalMessage",
    errorTrace({ internalMessage: "HTTP 503" }),
    "/trace/error must NOT have additional properties",
  ],
  [
    "TRACE of a type the connector does not print (ESTIMATE)",
    trace({ type: "ESTIMATE", estimate: { name: "s", type: "STREAM" } }),
    "/trace/type must be equal to one of the allowed values",
  ],
  [
    "RATE_LIMITED reason with quota_reset beside rate_limited",
    rateLimited({ type: "RATE_LIMITED", quota_reset: EMITTED_AT }),
    "/trace/stream_status/reasons/0 must have required property 'rate_limited'",
  ],
];

const configuredCatalogFile = readJson("integration_tests/configured_catalog.json");
const catCatalog = (...streams: Json[]): Json => ({ streams });
const catStream = (fields: Json = {}, streamFields: Json = {}): Json => {
  const configured = catConfiguredStream("chart_abc123de") as Json;
  return json({
    ...configured,
    ...fields,
    stream: { ...(configured.stream as Json), ...streamFields },
  });
};

const VALID_CATALOGS: [string, unknown][] = [
  ["integration_tests/configured_catalog.json", configuredCatalogFile],
  [
    "CAT's catalog (catConfiguredStream: unset optionals null)",
    catCatalog(catStream(), catStream({}, { name: "charts_metadata" })),
  ],
  [
    "CAT's catalog with incremental (valid protocol; the connector refuses it)",
    catCatalog(catStream({ sync_mode: "incremental" })),
  ],
  [
    "the tests' plain catalog (configuredCatalog)",
    configuredCatalog(["charts_metadata", "chart_abc123de"]),
  ],
  [
    "a catalog with every optional set",
    catCatalog(
      catStream(
        {
          cursor_field: [],
          primary_key: [["chart_id"]],
          generation_id: 3,
          minimum_generation_id: 0,
          sync_id: 42,
          include_files: false,
          destination_object_name: "charts",
        },
        {
          source_defined_cursor: false,
          default_cursor_field: [],
          source_defined_primary_key: [["chart_id"]],
          namespace: "n",
          is_resumable: false,
          is_file_based: false,
        },
      ),
    ),
  ],
  ["an empty catalog", { streams: [] }],
];

const INVALID_CATALOGS: Broken[] = [
  [
    "CAT's catalog of an unknown stream with sync mode INVALID",
    INVALID_CATALOG,
    "/streams/0/sync_mode must be equal to one of the allowed values",
  ],
  ["no streams", {}, "the value must have required property 'streams'"],
  ["streams that are not a list", { streams: catStream() }, "/streams must be array"],
  [
    "a configured stream without stream",
    catCatalog(omit(catStream(), "stream")),
    "/streams/0 must have required property 'stream'",
  ],
  [
    "a configured stream without sync_mode",
    catCatalog(omit(catStream(), "sync_mode")),
    "/streams/0 must have required property 'sync_mode'",
  ],
  // Ours says null is no sync mode; the official one sees the null dropped, so sync_mode missing.
  [
    "a null sync_mode",
    catCatalog(catStream({ sync_mode: null })),
    /\/streams\/0(\/sync_mode must be equal to one of the allowed values| must have required property 'sync_mode')/,
  ],
  [
    "an unknown destination_sync_mode",
    catCatalog(catStream({ destination_sync_mode: "replace" })),
    "/streams/0/destination_sync_mode must be equal to one of the allowed values",
  ],
  [
    "a stream without json_schema",
    catCatalog(catStream({}, { json_schema: undefined })),
    "/streams/0/stream must have required property 'json_schema'",
  ],
  [
    "a json_schema that is a string",
    catCatalog(catStream({}, { json_schema: "object" })),
    "/streams/0/stream/json_schema must be object",
  ],
  [
    "a stream without sync modes",
    catCatalog(catStream({}, { supported_sync_modes: [] })),
    "/streams/0/stream/supported_sync_modes must NOT have fewer than 1 items",
  ],
  [
    "a stream name that is a number",
    catCatalog(catStream({}, { name: 42 })),
    "/streams/0/stream/name must be string",
  ],
  [
    "a primary key that is not a list of paths",
    catCatalog(catStream({ primary_key: ["chart_id"] })),
    "/streams/0/primary_key/0 must be array",
  ],
  [
    "a cursor field that is a string",
    catCatalog(catStream({ cursor_field: "updated_at" })),
    "/streams/0/cursor_field must be array",
  ],
  [
    "a fractional generation_id",
    catCatalog(catStream({ generation_id: 1.5 })),
    "/streams/0/generation_id must be integer",
  ],
  [
    "an is_resumable that is neither boolean nor null",
    catCatalog(catStream({}, { is_resumable: "no" })),
    "/streams/0/stream/is_resumable must be boolean",
  ],
];

const STRICTER_CATALOGS: Broken[] = [
  [
    "a misspelled optional (primary_keys)",
    catCatalog(catStream({ primary_keys: [["chart_id"]] })),
    "/streams/0 must NOT have additional properties",
  ],
  [
    "an empty stream name",
    catCatalog(catStream({}, { name: "" })),
    "/streams/0/stream/name must NOT have fewer than 1 characters",
  ],
  [
    "a sync mode listed twice",
    catCatalog(catStream({}, { supported_sync_modes: ["full_refresh", "full_refresh"] })),
    "/streams/0/stream/supported_sync_modes must NOT have duplicate items",
  ],
];

describe("the protocol schemas in use", () => {
  it("are ours and, when available, the official one, which REQUIRE_OFFICIAL_PROTOCOL=1 requires", () => {
    // Throws under REQUIRE_OFFICIAL_PROTOCOL=1 when the official file is missing.
    const labels = protocolSchemasInUse().map((schema) => schema.label);
    console.info(`Airbyte protocol schemas used: ${labels.join("; ")}`);
    expect(labels).toEqual([
      expect.stringContaining(OUR_PROTOCOL_SCHEMA),
      ...(hasOfficial ? [expect.stringContaining(officialPath)] : []),
    ]);
    if (process.env.REQUIRE_OFFICIAL_PROTOCOL === "1") expect(officialPath).toBeDefined();
  });
});

describe("officialProtocolSchema", () => {
  const [present] = Object.values(jsonFiles({ airbyte_protocol: "{}" })) as [string];
  const missing = join(dirname(present), "absent.yaml");

  it("takes AIRBYTE_PROTOCOL_YAML first, and it must exist", () => {
    expect(officialProtocolSchema({ AIRBYTE_PROTOCOL_YAML: present }, missing)).toBe(present);
    expect(() => officialProtocolSchema({ AIRBYTE_PROTOCOL_YAML: missing }, present)).toThrow(
      /AIRBYTE_PROTOCOL_YAML is .*absent\.yaml, but there is no file there/,
    );
  });

  it("else takes the file beside the checkout, if it is there", () => {
    expect(officialProtocolSchema({ AIRBYTE_PROTOCOL_YAML: "" }, present)).toBe(present);
    expect(officialProtocolSchema({}, missing)).toBeUndefined();
  });

  it("makes a missing file an error under REQUIRE_OFFICIAL_PROTOCOL=1", () => {
    expect(() => officialProtocolSchema({ REQUIRE_OFFICIAL_PROTOCOL: "1" }, missing)).toThrow(
      /REQUIRE_OFFICIAL_PROTOCOL=1, but the official Airbyte protocol schema is not at .*absent\.yaml/,
    );
    expect(officialProtocolSchema({ REQUIRE_OFFICIAL_PROTOCOL: "1" }, present)).toBe(present);
  });
});

describe("messages", () => {
  it.each(VALID_MESSAGES)("ours accepts %s", (_name, message) => {
    expect(ours.messageComplaint(message)).toBeUndefined();
  });
  it.runIf(hasOfficial).each(VALID_MESSAGES)("the official schema accepts %s", (_name, message) => {
    expect(theOfficial().messageComplaint(message)).toBeUndefined();
  });

  it.each(INVALID_MESSAGES)("ours rejects %s", (_name, message, complaint) => {
    expect(ours.messageComplaint(message)).toMatch(complaint);
  });
  it.runIf(hasOfficial).each(INVALID_MESSAGES)(
    "the official schema rejects %s",
    (_name, message, complaint) => {
      expect(theOfficial().messageComplaint(message)).toMatch(complaint);
    },
  );

  it.each(STRICTER_MESSAGES)("ours rejects %s", (_name, message, complaint) => {
    expect(ours.messageComplaint(message)).toMatch(complaint);
  });
  // If one of these starts failing, the official schema has caught up: move the case to INVALID_MESSAGES.
  it.runIf(hasOfficial).each(STRICTER_MESSAGES)(
    "the official schema lets pass %s",
    (_name, message) => {
      expect(theOfficial().messageComplaint(message)).toBeUndefined();
    },
  );
});

describe("configured catalogs", () => {
  it.each(VALID_CATALOGS)("ours accepts %s", (_name, catalog) => {
    expect(ours.catalogComplaint(catalog)).toBeUndefined();
  });
  it.runIf(hasOfficial).each(VALID_CATALOGS)("the official schema accepts %s", (_name, catalog) => {
    expect(theOfficial().catalogComplaint(catalog)).toBeUndefined();
  });

  it.each(INVALID_CATALOGS)("ours rejects %s", (_name, catalog, complaint) => {
    expect(ours.catalogComplaint(catalog)).toMatch(complaint);
  });
  it.runIf(hasOfficial).each(INVALID_CATALOGS)(
    "the official schema rejects %s",
    (_name, catalog, complaint) => {
      expect(theOfficial().catalogComplaint(catalog)).toMatch(complaint);
    },
  );

  it.each(STRICTER_CATALOGS)("ours rejects %s", (_name, catalog, complaint) => {
    expect(ours.catalogComplaint(catalog)).toMatch(complaint);
  });
  it.runIf(hasOfficial).each(STRICTER_CATALOGS)(
    "the official schema lets pass %s",
    (_name, catalog) => {
      expect(theOfficial().catalogComplaint(catalog)).toBeUndefined();
    },
  );

  // Why the official schema is shown catalogs without their nulls: as written, it rejects CAT's.
  it.runIf(hasOfficial)(
    "the official schema, shown CAT's catalog as written, rejects its nulls",
    () => {
      const asWritten = loadOfficialSchema(theOfficialFile(), true);
      expect(asWritten.catalogComplaint(catCatalog(catStream()))).toContain(
        "/streams/0/stream/is_resumable must be boolean",
      );
    },
  );
});

describe("assertAirbyteMessage and assertConfiguredCatalog", () => {
  it("pass what every schema in use accepts", () => {
    for (const [, message] of VALID_MESSAGES)
      expect(() => assertAirbyteMessage(message)).not.toThrow();
    for (const [, catalog] of VALID_CATALOGS)
      expect(() => assertConfiguredCatalog(catalog)).not.toThrow();
  });

  it("throw naming the schema that rejects, and why", () => {
    const [, wrongPayload] = STRICTER_MESSAGES[0] as [string, unknown, string];
    expect(() => assertAirbyteMessage(wrongPayload)).toThrow(
      /^not an AirbyteMessage by our schema \(.*\): .*log/,
    );
    expect(() => assertConfiguredCatalog(INVALID_CATALOG)).toThrow(
      /^not a ConfiguredAirbyteCatalog by our schema \(.*\): .*\/streams\/0\/sync_mode/,
    );
  });
});
