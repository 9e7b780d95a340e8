import { createRequire } from "node:module";
import type * as Undici from "undici";
import type { Dispatcher } from "undici";

/*
 * The parts of undici the client uses, loaded without undici's index. The index loads
 * every feature undici has (fetch, WebSocket, caches, mocks, ...), and by touching
 * globalThis.Headers it loads Node's own bundled copy of undici as well: ~130 ms and
 * ~8 MB at every start, against ~30 ms for these modules. The paths are undici 7's
 * (package.json pins the version; the client tests fail if they move).
 */
const load = createRequire(import.meta.url);

export type { Dispatcher };
export const Agent = load("undici/lib/dispatcher/agent.js") as typeof Undici.Agent;
export const EnvHttpProxyAgent = load(
  "undici/lib/dispatcher/env-http-proxy-agent.js",
) as typeof Undici.EnvHttpProxyAgent;

const dispatcherRequest = load("undici/lib/api/api-request.js") as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

/** `dispatcher.request(options)`, which undici's index would have added to every dispatcher. */
export function request(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
): Promise<Dispatcher.ResponseData> {
  return dispatcherRequest.call(dispatcher, options);
}
