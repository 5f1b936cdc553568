import { describe, expect, it } from "vitest";
import {
  admit,
  type BreakerState,
  CLOSED_BREAKER,
  probeEnded,
  recordOutcome,
} from "../../../src/core/jobs/circuit-breaker.js";

const settings = { failureThreshold: 3, cooldownMs: 1000, maxCooldownMs: 3000 };
const fail = (state: BreakerState, now = 0) => recordOutcome(state, "failure", now, settings);

describe("circuit breaker", () => {
  it("stays closed below the threshold and a success resets the count", () => {
    const twice = fail(fail(CLOSED_BREAKER));
    expect(twice).toMatchObject({ status: "closed", consecutiveFailures: 2 });
    expect(recordOutcome(twice, "success", 0, settings)).toEqual(CLOSED_BREAKER);
    expect(admit(twice, 0).admitted).toBe(true);
  });

  it("opens at the threshold and admits nothing until the cooldown has passed", () => {
    const open = fail(fail(fail(CLOSED_BREAKER)), 100);
    expect(open).toMatchObject({ status: "open", retryAt: 1100, opens: 1 });
    expect(admit(open, 1099)).toEqual({ admitted: false, state: open });
  });

  it("half-open admits exactly one probe; its success closes, its failure reopens for a doubled cooldown (capped)", () => {
    const open = fail(fail(fail(CLOSED_BREAKER)), 100);
    const probe = admit(open, 1100);
    expect(probe.admitted).toBe(true);
    expect(probe.state).toMatchObject({ status: "half-open", probing: true });
    expect(admit(probe.state, 1101).admitted).toBe(false);
    expect(recordOutcome(probe.state, "success", 1200, settings)).toEqual(CLOSED_BREAKER);

    const reopened = fail(probe.state, 1200);
    expect(reopened).toMatchObject({ status: "open", opens: 2, retryAt: 1200 + 2000 });
    const third = fail(admit(reopened, 3200).state, 3200);
    expect(third).toMatchObject({ status: "open", opens: 3, retryAt: 3200 + 3000 });
  });

  it("frees the probe slot when the probe ended without a request deciding", () => {
    const open = fail(fail(fail(CLOSED_BREAKER)));
    const { state } = admit(open, 1000);
    expect(admit(state, 1000).admitted).toBe(false);
    expect(admit(probeEnded(state), 1000).admitted).toBe(true);
    expect(probeEnded(CLOSED_BREAKER)).toBe(CLOSED_BREAKER);
  });

  it("counts failures while open without moving the probe time", () => {
    const open = fail(fail(fail(CLOSED_BREAKER)), 100);
    expect(fail(open, 500)).toMatchObject({ status: "open", retryAt: 1100, consecutiveFailures: 4 });
  });
});
