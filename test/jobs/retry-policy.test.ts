import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextRetryAt, shouldDeadLetter } from "../../src/jobs/retry-policy.js";

const now = new Date("2025-01-01T00:00:00Z");
const delay = (attempts: number, jitter: number, baseMs = 1000, maxMs = 60_000) =>
  nextRetryAt({ attempts, now, baseMs, maxMs, jitter: () => jitter }).getTime() - now.getTime();

describe("nextRetryAt", () => {
  it.each([
    { attempts: 1, jitter: 0.999999, ms: 999 },
    { attempts: 2, jitter: 0.5, ms: 1000 },
    { attempts: 3, jitter: 0.5, ms: 2000 },
    { attempts: 4, jitter: 0.5, ms: 4000 },
    { attempts: 10, jitter: 0.5, ms: 30_000 },
    { attempts: 3, jitter: 0, ms: 0 },
    { attempts: 5000, jitter: 0.5, ms: 30_000 },
  ])("waits $ms ms after attempt $attempts with jitter $jitter", ({ attempts, jitter, ms }) => {
    expect(delay(attempts, jitter)).toBe(ms);
  });

  it("stays within [0, min(max, base * 2^(attempts-1))) for any jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (attempts, jitter, baseMs, maxMs) => {
          const ms = delay(attempts, jitter, baseMs, maxMs);
          const ceiling = Math.min(maxMs, baseMs * 2 ** (attempts - 1));
          return Number.isInteger(ms) && ms >= 0 && ms <= ceiling && (ms < ceiling || ceiling === 0);
        },
      ),
    );
  });

  it("never shrinks the ceiling as attempts grow (jitter held fixed)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        (attempts) => delay(attempts + 1, 0.9) >= delay(attempts, 0.9),
      ),
    );
  });
});

describe("shouldDeadLetter", () => {
  it.each([
    { attempts: 1, max: 5, dead: false },
    { attempts: 4, max: 5, dead: false },
    { attempts: 5, max: 5, dead: true },
    { attempts: 6, max: 5, dead: true },
    { attempts: 1, max: 1, dead: true },
  ])("after $attempts of $max attempts → $dead", ({ attempts, max, dead }) => {
    expect(shouldDeadLetter(attempts, max)).toBe(dead);
  });
});
