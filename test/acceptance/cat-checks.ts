import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { OUR_PROTOCOL_SCHEMA, type Message } from "../helpers/protocol.js";

/**
 * The checks of Airbyte's connector acceptance tests (CAT, test_core.py and
 * test_full_refresh.py), written again in TypeScript for machines that cannot run CAT.
 * Each returns the problems it found (empty: passed), so a failing test names them all.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Path = (string | number)[];

const isObject = (v: unknown): v is JsonObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Every (path, key, value, parent) in a JSON tree, depth first. */
function* entries(node: Json, path: Path = []): Generator<[Path, Json, JsonObject | Json[]]> {
  if (Array.isArray(node)) {
    for (const [i, v] of node.entries()) {
      yield [[...path, i], v, node];
      yield* entries(v, [...path, i]);
    }
  } else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      yield [[...path, k], v, node];
      yield* entries(v, [...path, k]);
    }
  }
}

const show = (path: Path): string => "/" + path.join("/");
const lastKey = (path: Path): string | number | undefined => path[path.length - 1];
const parentKey = (path: Path): string | number | undefined => path[path.length - 2];

/** All values of `key` anywhere in the tree (CAT's find_all_values_for_key_in_schema). */
export function valuesOfKey(node: Json, key: string): [Path, Json][] {
  return [...entries(node)].filter(([p]) => lastKey(p) === key).map(([p, v]) => [p, v]);
}

// ---------------------------------------------------------------- spec (TestSpec)

/** CAT's list of property names that must hold secrets. */
const SECRET_NAMES = new Set([
  "client_token",
  "access_token",
  "api_token",
  "token",
  "secret",
  "client_secret",
  "password",
  "key",
  "service_account_info",
  "service_account",
  "tenant_id",
  "certificate",
  "jwt",
  "credentials",
  "app_id",
  "appid",
  "refresh_token",
]);
const RESERVED = new Set([
  "anyOf",
  "oneOf",
  "allOf",
  "not",
  "properties",
  "items",
  "type",
  "prefixItems",
]);

/** test_secret_is_properly_marked: secret-named fields are airbyte_secret, and only those. */
export function secretMarkingProblems(spec: JsonObject): string[] {
  const properties = spec.properties as Json;
  const problems: string[] = [];
  for (const [path, , parent] of entries(properties)) {
    if (lastKey(path) !== "type" || !isObject(parent)) continue;
    const name = [...path.slice(0, -1)]
      .reverse()
      .find((part) => typeof part === "string" && !RESERVED.has(part) && !/^\d+$/.test(part));
    if (typeof name !== "string" || !SECRET_NAMES.has(name.toLowerCase())) continue;
    const marked = parent.airbyte_secret === true;
    const types = ([] as Json[]).concat(parent.type ?? []);
    const canHold =
      types.some((t) => t === "string" || t === "integer" || t === "number") && !parent.const;
    if (marked && !canHold)
      problems.push(`${show(path.slice(0, -1))} is airbyte_secret but cannot hold a secret`);
    if (!marked && canHold)
      problems.push(`${show(path.slice(0, -1))} should be marked airbyte_secret`);
  }
  return problems;
}

/** test_property_type_is_not_array: a type list is [T] or [T, "null"]. */
export function typeListProblems(spec: JsonObject): string[] {
  return [...entries(spec)]
    .filter(
      ([p, v]) => lastKey(p) === "type" && Array.isArray(v) && p[p.length - 3] === "properties",
    )
    .flatMap(([p, v]) => {
      const list = v as Json[];
      if (list.length > 2) return [`${show(p)} has ${list.length} types`];
      if (list.length === 2 && list[1] !== "null")
        return [`${show(p)}: the second type must be null`];
      return [];
    });
}

/** test_object_not_empty: every nested object declares properties (or oneOf). */
export function emptyObjectProblems(spec: JsonObject): string[] {
  return [...entries(spec)]
    .filter(
      ([p, v, parent]) =>
        lastKey(p) === "type" && p.length > 1 && v === "object" && isObject(parent),
    )
    .filter(([, , parent]) => {
      const o = parent as JsonObject;
      return !("oneOf" in o) && (!isObject(o.properties) || Object.keys(o.properties).length === 0);
    })
    .map(([p]) => `${show(p)} is an object without properties`);
}

/** test_array_type: array items are one schema of type object/string/number/integer, or an enum. */
export function arrayItemProblems(spec: JsonObject): string[] {
  const problems: string[] = [];
  for (const [p, v, parent] of entries(spec)) {
    if (lastKey(p) !== "type" || v !== "array" || !isObject(parent) || !("items" in parent))
      continue;
    const items = parent.items;
    if (Array.isArray(items)) problems.push(`${show(p)}: items is a list`);
    else if (
      isObject(items) &&
      !["object", "string", "number", "integer"].includes(String(items.type)) &&
      !("enum" in items)
    ) {
      problems.push(`${show(p)}: items must be object, string, number, integer or an enum`);
    }
  }
  return problems;
}

const FORBIDDEN = [
  "not",
  "anyOf",
  "patternProperties",
  "prefixItems",
  "allOf",
  "if",
  "then",
  "else",
  "dependentSchemas",
  "dependentRequired",
];

/** test_forbidden_complex_types (a property may be named like a keyword). */
export function forbiddenKeywordProblems(spec: JsonObject): string[] {
  return [...entries(spec)]
    .filter(([p]) => FORBIDDEN.includes(String(lastKey(p))) && parentKey(p) !== "properties")
    .map(([p]) => `${show(p)} uses a keyword the UI does not support`);
}

/** test_duplicate_order: `order` is unique per group within one object. */
export function duplicateOrderProblems(spec: JsonObject): string[] {
  const problems: string[] = [];
  for (const [p, v, parent] of entries(spec)) {
    if (
      lastKey(p) !== "properties" ||
      !isObject(v) ||
      !isObject(parent) ||
      parent.type !== "object"
    )
      continue;
    const seen = new Set<string>();
    for (const property of Object.values(v)) {
      if (!isObject(property) || !("order" in property)) continue;
      const slot = `${String(property.group ?? "")}#${String(property.order)}`;
      if (seen.has(slot)) problems.push(`${show(p)} has duplicate order ${String(property.order)}`);
      seen.add(slot);
    }
  }
  return problems;
}

/** test_nested_group and test_display_type. */
export function groupAndDisplayTypeProblems(spec: JsonObject): string[] {
  const problems: string[] = [];
  for (const [p, v, parent] of entries(spec.properties ?? null, ["properties"])) {
    const key = lastKey(p);
    if (parentKey(p) === "properties") continue; // a property named "group" / "display_type"
    if (key === "group" && p.length !== 3)
      problems.push(`${show(p)}: groups only on top-level fields`);
    if (key === "display_type") {
      if (!isObject(parent) || !("oneOf" in parent)) problems.push(`${show(p)} without oneOf`);
      if (v !== "dropdown" && v !== "radio") problems.push(`${show(p)} must be dropdown or radio`);
    }
  }
  return problems;
}

/** test_enum_usage: enum values are distinct. */
export function enumProblems(spec: JsonObject): string[] {
  return valuesOfKey(spec, "enum")
    .filter(([p, v]) => parentKey(p) !== "properties" && Array.isArray(v))
    .filter(
      ([, v]) => new Set((v as Json[]).map((x) => JSON.stringify(x))).size !== (v as Json[]).length,
    )
    .map(([p]) => `${show(p)} has duplicate values`);
}

/** test_oneof_usage: oneOf/anyOf variants are objects sharing exactly one `const` property. */
export function oneOfProblems(spec: JsonObject): string[] {
  const problems: string[] = [];
  for (const [p, v, parent] of entries(spec)) {
    const key = lastKey(p);
    if ((key !== "oneOf" && key !== "anyOf") || parentKey(p) === "properties" || !Array.isArray(v))
      continue;
    if (!isObject(parent) || parent.type !== "object")
      problems.push(`${show(p)}: the parent must be type object`);
    const variants = v.filter(isObject);
    if (variants.length !== v.length || variants.some((x) => !isObject(x.properties))) {
      problems.push(`${show(p)}: every variant must have properties`);
      continue;
    }
    const props = variants.map((x) => x.properties as JsonObject);
    const common = Object.keys(props[0] ?? {}).filter((k) => props.every((x) => k in x));
    const consts = common.filter((k) => props.every((x) => isObject(x[k]) && "const" in x[k]));
    if (consts.length !== 1)
      problems.push(`${show(p)}: exactly one common const property is needed`);
  }
  return problems;
}

/** test_defined_refs_exist_in_json_spec_file / _in_schema: no `$ref` anywhere. */
export const refProblems = (node: Json): string[] =>
  valuesOfKey(node, "$ref").map(([p]) => `${show(p)} is an unresolved $ref`);

/** test_additional_properties_is_true (spec and stream schemas): when set, it is `true`. */
export const additionalPropertiesProblems = (node: Json): string[] =>
  valuesOfKey(node, "additionalProperties")
    .filter(([, v]) => v !== true)
    .map(([p, v]) => `${show(p)} is ${JSON.stringify(v)}; it must be true when set`);

/** Every spec rule above, by CAT test name. */
export function specProblems(connectionSpecification: JsonObject): Record<string, string[]> {
  return {
    test_secret_is_properly_marked: secretMarkingProblems(connectionSpecification),
    test_property_type_is_not_array: typeListProblems(connectionSpecification),
    test_object_not_empty: emptyObjectProblems(connectionSpecification),
    test_array_type: arrayItemProblems(connectionSpecification),
    test_forbidden_complex_types: forbiddenKeywordProblems(connectionSpecification),
    test_duplicate_order: duplicateOrderProblems(connectionSpecification),
    test_nested_group_and_display_type: groupAndDisplayTypeProblems(connectionSpecification),
    test_enum_usage: enumProblems(connectionSpecification),
    test_oneof_usage: oneOfProblems(connectionSpecification),
    test_defined_refs_exist_in_json_spec_file: refProblems(connectionSpecification),
    test_additional_properties_is_true: additionalPropertiesProblems(connectionSpecification),
  };
}

// ---------------------------------------------------------------- schemas

/** A draft-07 validator that knows Airbyte's annotation keywords. */
export function draft07(): Ajv {
  return new Ajv({ strict: false, allErrors: true, validateFormats: false });
}

/** jsonschema.Draft7Validator.check_schema: problems with the schema itself. */
export function schemaProblems(schema: unknown): string[] {
  const ajv = draft07();
  if (!isObject(schema)) return ["the schema is not an object"];
  const meta = schema.$schema;
  if (meta !== undefined && meta !== "http://json-schema.org/draft-07/schema#") {
    return [`$schema is ${String(meta)}, not draft-07`];
  }
  if (!ajv.validateSchema(schema)) return [ajv.errorsText(ajv.errors)];
  try {
    ajv.compile(schema);
  } catch (error) {
    return [(error as Error).message];
  }
  return [];
}

/** CAT's find_keyword_schema: the keyword used anywhere, except as a property name. */
export function usesKeyword(schema: Json, keyword: string): boolean {
  const find = (node: Json, skip: boolean): boolean => {
    if (Array.isArray(node)) return node.some((v) => find(v, false));
    if (!isObject(node)) return false;
    return Object.entries(node).some(
      ([k, v]) => (k === keyword && !skip) || find(v, k === "properties" && node.type === "object"),
    );
  };
  return find(schema, false);
}

/** The schema of a field path (`["a", "b"]` is properties.a.properties.b), if declared. */
export function fieldSchema(schema: Json, path: string[]): JsonObject | undefined {
  let node: Json | undefined = schema;
  for (const part of path) {
    const props: Json | undefined = isObject(node) ? node.properties : undefined;
    node = isObject(props) ? props[part] : undefined;
  }
  return isObject(node) ? node : undefined;
}

// ---------------------------------------------------------------- catalog

export interface DiscoveredStream {
  name: string;
  json_schema: JsonObject;
  supported_sync_modes: string[];
  source_defined_primary_key?: string[][] | null;
  default_cursor_field?: string[] | null;
  [key: string]: unknown;
}

/**
 * The optional fields of a configured stream, and of the stream inside it, as the
 * project's own protocol schema lists them (the suite checks that schema against the
 * official one whenever that is at hand).
 */
function optionalFields(
  definition: "ConfiguredStreamDescription" | "ConfiguredAirbyteStream",
): string[] {
  const protocol = JSON.parse(readFileSync(OUR_PROTOCOL_SCHEMA, "utf8")) as {
    definitions: Record<string, { properties: Record<string, unknown>; required?: string[] }>;
  };
  const d = protocol.definitions[definition];
  if (!d) throw new Error(`no ${definition} in the protocol schema`);
  return Object.keys(d.properties).filter((k) => !(d.required ?? []).includes(k));
}

const withNulls = (object: Record<string, unknown>, fields: string[]): Record<string, unknown> => ({
  ...Object.fromEntries(fields.map((f) => [f, null])),
  ...Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)),
});

/**
 * CAT's configured catalog at high strictness: every discovered stream, its first sync
 * mode, destination `append`, the source's cursor and primary key, written as pydantic
 * writes it (null for every unset optional field).
 */
export function configuredCatalogFrom(streams: DiscoveredStream[]): { streams: unknown[] } {
  const streamFields = optionalFields("ConfiguredStreamDescription");
  const configuredFields = optionalFields("ConfiguredAirbyteStream");
  return {
    streams: streams.map((stream) =>
      withNulls(
        {
          stream: withNulls(stream, streamFields),
          sync_mode: stream.supported_sync_modes[0],
          destination_sync_mode: "append",
          cursor_field: stream.default_cursor_field ?? null,
          primary_key: stream.source_defined_primary_key ?? null,
        },
        configuredFields,
      ),
    ),
  };
}

export { INVALID_CATALOG } from "../helpers/run-cli.js";

// ---------------------------------------------------------------- read (TestBasicRead)

export interface RecordMessage {
  stream: string;
  data: Record<string, unknown>;
  emitted_at: number;
}

export const recordMessages = (messages: Message[]): RecordMessage[] =>
  messages.filter((m) => m.type === "RECORD").map((m) => m.record as RecordMessage);

/**
 * Each stream's records' data, in the order they came: what CAT compares (exact_order is per
 * stream). Streams come out in the order their downloads finish, which differs between runs.
 */
export function dataByStream(records: RecordMessage[]): Record<string, unknown[]> {
  const byStream: Record<string, unknown[]> = {};
  for (const { stream, data } of records) (byStream[stream] ??= []).push(data);
  return byStream;
}

/** _validate_schema (+ fail_on_extra_columns): each record validates against its stream's schema. */
export function recordSchemaProblems(
  records: RecordMessage[],
  streams: DiscoveredStream[],
): string[] {
  const ajv = draft07();
  const validators = new Map(streams.map((s) => [s.name, ajv.compile(s.json_schema)]));
  const problems: string[] = [];
  for (const [i, record] of records.entries()) {
    const validate = validators.get(record.stream);
    const stream = streams.find((s) => s.name === record.stream);
    if (!validate || !stream) {
      problems.push(`record ${i} is of stream ${record.stream}, which is not in the catalog`);
      continue;
    }
    if (!validate(record.data)) {
      problems.push(`record ${i} (${record.stream}): ${ajv.errorsText(validate.errors)}`);
    }
    const declared = Object.keys((stream.json_schema.properties as JsonObject | undefined) ?? {});
    const extra = Object.keys(record.data).filter((k) => !declared.includes(k));
    if (extra.length > 0)
      problems.push(`record ${i} (${record.stream}) has extra columns ${extra.join(", ")}`);
    if (!Object.keys(record.data).some((k) => declared.includes(k))) {
      problems.push(`record ${i} (${record.stream}) has no field its schema mentions`);
    }
  }
  return problems;
}

/** _validate_primary_keys_data_type: key parts are not objects or arrays, and not all null. */
export function primaryKeyValueProblems(
  records: RecordMessage[],
  streams: DiscoveredStream[],
): string[] {
  const problems: string[] = [];
  for (const stream of streams) {
    const key = stream.source_defined_primary_key ?? [];
    if (key.length === 0) continue;
    for (const record of records.filter((r) => r.stream === stream.name)) {
      const values = key.map((path) =>
        path.reduce<unknown>(
          (node, part) => (isObject(node) ? node[part] : undefined),
          record.data,
        ),
      );
      if (values.some((v) => typeof v === "object" && v !== null)) {
        problems.push(`${stream.name}: a primary key part is an object or array`);
      }
      if (values.every((v) => v === null || v === undefined)) {
        problems.push(`${stream.name}: every primary key part is null`);
      }
    }
  }
  return problems;
}

/** _validate_stream_statuses: every configured stream goes STARTED, RUNNING…, COMPLETE. */
export function streamStatusProblems(messages: Message[], streamNames: string[]): string[] {
  const byStream = new Map<string, string[]>();
  for (const m of messages) {
    const trace = m.trace as
      | {
          type: string;
          stream_status?: {
            stream_descriptor: { name: string; namespace?: string };
            status: string;
          };
        }
      | undefined;
    if (m.type !== "TRACE" || trace?.type !== "STREAM_STATUS" || !trace.stream_status) continue;
    const { stream_descriptor: d, status } = trace.stream_status;
    const key = `${d.namespace ?? "None"}-${d.name}`;
    byStream.set(key, [...(byStream.get(key) ?? []), status]);
  }
  const expected = streamNames.map((n) => `None-${n}`);
  const problems: string[] = [];
  const got = [...byStream.keys()];
  if (got.length !== expected.length || expected.some((k) => !byStream.has(k))) {
    problems.push(
      `streams with statuses ${got.join(", ")} differ from the configured ${expected.join(", ")}`,
    );
  }
  for (const [stream, list] of byStream) {
    const middle = list.slice(1, -1);
    if (
      list.length < 3 ||
      list[0] !== "STARTED" ||
      list[list.length - 1] !== "COMPLETE" ||
      middle.some((s) => s !== "RUNNING")
    ) {
      problems.push(`${stream}: statuses ${list.join(", ")}, expected STARTED, RUNNING…, COMPLETE`);
    }
  }
  return problems;
}

/** _validate_state_messages: ≥ one STATE per stream, none LEGACY, each with sourceStats. */
export function stateProblems(messages: Message[], streamNames: string[]): string[] {
  const states = messages.filter((m) => m.type === "STATE").map((m) => m.state as JsonObject);
  const problems: string[] = [];
  if (states.length < streamNames.length) {
    problems.push(`${states.length} STATE messages for ${streamNames.length} streams`);
  }
  for (const state of states) {
    const name = (
      (state.stream as JsonObject | undefined)?.stream_descriptor as JsonObject | undefined
    )?.name;
    if (state.type === "LEGACY" || state.type === undefined)
      problems.push(`a ${String(state.type)} state (${String(name)})`);
    if (!isObject(state.sourceStats))
      problems.push(`the state of ${String(name)} has no sourceStats`);
  }
  return problems;
}

/** _validate_empty_streams: every configured stream gave records. */
export const emptyStreamProblems = (records: RecordMessage[], streamNames: string[]): string[] =>
  streamNames
    .filter((name) => !records.some((r) => r.stream === name))
    .map((name) => `${name} gave no records`);

/** compare_records with exact_order: the expected primary keys come first, in order. */
export function expectedKeyProblems(
  actual: RecordMessage[],
  expected: RecordMessage[],
  streams: DiscoveredStream[],
): string[] {
  const problems: string[] = [];
  for (const name of new Set(expected.map((r) => r.stream))) {
    const stream = streams.find((s) => s.name === name);
    if (!stream) {
      problems.push(`expected records name the unknown stream ${name}`);
      continue;
    }
    const key = stream.source_defined_primary_key ?? [];
    const keysOf = (rows: RecordMessage[]): string[] =>
      rows
        .filter((r) => r.stream === name)
        .map((r) =>
          JSON.stringify(
            key.map((path) =>
              path.reduce<unknown>((n, p) => (isObject(n) ? n[p] : undefined), r.data),
            ),
          ),
        );
    const want = keysOf(expected);
    const got = keysOf(actual).slice(0, want.length);
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`${name}: primary keys differ from the expected records`);
  }
  return problems;
}
