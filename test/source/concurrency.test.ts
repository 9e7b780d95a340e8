import { afterAll, describe, expect, it } from "vitest";
import { Barrier, type Fault } from "../../fake-amplitude/server.js";
import { records } from "../helpers/protocol.js";
import { smallChart, smallChartRecords } from "../helpers/charts.js";
import {
  completed,
  configFor,
  connectionStatus,
  run,
  serve,
  timeline,
  stopFakes,
} from "../helpers/connector.js";

afterAll(stopFakes);

const IDS = ["c1", "c2", "c3", "c4", "c5", "c6"];

/**
 * Charts answered in groups of `together`: a request waits until that many are open at
 * once. A connector that never has that many open times out; one that opens more shows
 * it in maxActive. No test here depends on the machine's speed.
 */
async function chartsAnsweredInGroups(together: number) {
  const barrier = new Barrier(together);
  return serve(
    Object.fromEntries(IDS.map((id) => [id, { csv: smallChart(`Chart ${id}`) }])),
    Object.fromEntries(IDS.map((id): [string, Fault[]] => [id, [{ kind: "barrier", barrier }]])),
  );
}

describe.concurrent("max_concurrent_requests", () => {
  it.each([1, 2, 3])(
    "read with max_concurrent_requests %i: never more at once, and overlapping when allowed",
    async (limit) => {
      const fake = await chartsAnsweredInGroups(limit);
      const result = await run("read", {
        config: configFor(fake, IDS, { max_concurrent_requests: limit }),
        catalog: IDS.map((id) => `chart_${id}`),
      });
      expect(result.code, result.stderr).toBe(0);
      expect(fake.maxActive).toBe(limit);
      for (const id of IDS) {
        expect(fake.requestsFor(id)).toHaveLength(1);
        expect(records(result.messages, `chart_${id}`).map((r) => r.value)).toEqual(
          smallChartRecords().map(([, , value]) => value),
        );
        expect(timeline(result.messages, `chart_${id}`)).toEqual(completed(6));
      }
    },
  );

  it("read by default sends at most 2 requests at once", async () => {
    const fake = await chartsAnsweredInGroups(2);
    const result = await run("read", {
      config: configFor(fake, IDS),
      catalog: ["charts_metadata"],
    });
    expect(result.code, result.stderr).toBe(0);
    expect(records(result.messages, "charts_metadata")).toHaveLength(IDS.length);
    expect(fake.maxActive).toBe(2);
  });

  it("check respects max_concurrent_requests too", async () => {
    const fake = await chartsAnsweredInGroups(3);
    const result = await run("check", {
      config: configFor(fake, IDS, { max_concurrent_requests: 3 }),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(connectionStatus(result.messages).status).toBe("SUCCEEDED");
    expect(fake.maxActive).toBe(3);
    expect(fake.requests).toHaveLength(IDS.length);
  });
});
