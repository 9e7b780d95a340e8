import { isObject } from "../json.js";

/**
 * The filters and group-bys of a chart's definition, as the Developer API gives it.
 * Amplitude calls the definition's shape unstable and publishes no example, so it is read
 * defensively: the parts found where they are expected are kept as given, anything of
 * another shape gives null, and nothing here ever throws (`definition` itself is kept whole).
 *
 * Expected (Amplitude's chart-authoring notes): `{type, params: {events: [{event_type,
 * filters: [...], group_by: [...]}], segments: [{name?, conditions: [...]}], ...}}`; the
 * same keys directly on the definition are read too.
 */
export interface DefinitionParts {
  filters: { events?: EventFilters[]; segments?: SegmentConditions[] } | null;
  group_by: unknown[] | null;
}

interface EventFilters {
  event_type: unknown;
  filters: unknown[];
}

interface SegmentConditions {
  name?: unknown;
  conditions: unknown[];
}

const nonEmptyArray = (value: unknown): value is unknown[] =>
  Array.isArray(value) && value.length > 0;

export function definitionParts(definition: unknown): DefinitionParts {
  if (!isObject(definition)) return { filters: null, group_by: null };
  const params = isObject(definition.params) ? definition.params : definition;
  const events = Array.isArray(params.events) ? params.events.filter(isObject) : [];
  const segments = Array.isArray(params.segments) ? params.segments.filter(isObject) : [];

  const eventFilters: EventFilters[] = events
    .filter((event) => nonEmptyArray(event.filters))
    .map((event) => ({
      event_type: event.event_type ?? null,
      filters: event.filters as unknown[],
    }));
  const segmentConditions: SegmentConditions[] = segments
    .filter((segment) => nonEmptyArray(segment.conditions))
    .map((segment) => ({
      ...(segment.name !== undefined && { name: segment.name }),
      conditions: segment.conditions as unknown[],
    }));

  // Each event of a funnel may repeat its step's group-by: each entry once, in order.
  const groupBy: unknown[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    if (!Array.isArray(event.group_by)) continue;
    for (const entry of event.group_by) {
      const key = JSON.stringify(entry);
      if (!seen.has(key)) {
        seen.add(key);
        groupBy.push(entry);
      }
    }
  }

  const filters =
    eventFilters.length + segmentConditions.length === 0
      ? null
      : {
          ...(eventFilters.length > 0 && { events: eventFilters }),
          ...(segmentConditions.length > 0 && { segments: segmentConditions }),
        };
  return { filters, group_by: groupBy.length > 0 ? groupBy : null };
}
