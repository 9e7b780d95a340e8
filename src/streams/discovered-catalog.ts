import type { AirbyteStream } from "../protocol/messages.js";
import { chartStream } from "./chart-stream.js";
import { metadataStream } from "./metadata-stream.js";

/** discover's catalog, from the config alone: `charts_metadata`, then one stream per chart. */
export function catalogStreams(chartIds: string[]): AirbyteStream[] {
  return [metadataStream(), ...chartIds.map(chartStream)];
}
