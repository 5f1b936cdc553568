import { describe, expect, it } from "vitest";
import {
  type DashboardData,
  renderDashboard,
  takeCheckedActions,
} from "../../../src/core/render/render-dashboard.js";

const NOW = new Date("2026-11-25T12:00:00Z");
const FP = "ab".repeat(32);

const data: DashboardData = {
  findings: [
    {
      fingerprint: "cd".repeat(32),
      title: "orders volume",
      severity: "warning",
      issueNumber: 4,
      openedAt: "2026-11-25T01:00:00Z",
      snoozedUntil: null,
    },
    {
      fingerprint: FP,
      title: "orders.customer_id completeness",
      severity: "error",
      issueNumber: 3,
      openedAt: "2026-11-20T00:00:00Z",
      snoozedUntil: "2026-11-28T00:00:00Z",
    },
  ],
  proposals: [{ number: 9, title: "Coalesce customer ids", createdAt: "2026-11-22T00:00:00Z" }],
  expectations: [
    {
      pr: 7,
      text: "completeness(orders.customer_id) >= 0.99",
      mode: "within",
      duration: "3d",
      mergedAt: "2026-11-24T00:00:00Z",
    },
  ],
  annotations: [
    {
      dataset: "orders",
      kind: "seasonality",
      from: "2026-11-20T00:00:00.000Z",
      note: "Black Friday <b>@sales</b>",
      author: "ana",
    },
  ],
  contracts: [{ id: "orders-contract", version: "1.2.0", owners: ["@acme/data"], datasets: ["orders"] }],
  signals: [
    { source: "gx", signals: 3, deliveries: 1 },
    { source: "comment:ana", signals: 5, deliveries: 5 },
  ],
};

describe("renderDashboard", () => {
  const { title, body } = renderDashboard(data, NOW);

  it("lists open findings by severity with their age, issue and snooze", () => {
    expect(title).toBe("Backflow feedback dashboard");
    expect(body.startsWith("<!-- backflow:dashboard -->")).toBe(true);
    const error = body.indexOf("orders.customer\\_id completeness");
    const warning = body.indexOf("orders volume |");
    expect(error).toBeGreaterThan(0);
    expect(error).toBeLessThan(warning);
    expect(body).toContain("| **error** | orders.customer\\_id completeness | #3 | 5d | until 2026-11-28 |");
    expect(body).toContain("| **warning** | orders volume | #4 | today |  |");
  });

  it("lists proposals, expectations, annotations, contracts and signals per source", () => {
    expect(body).toContain("- #9 Coalesce customer ids (3d)");
    expect(body).toContain(
      "- #7: `completeness(orders.customer_id) >= 0.99` — within 3d of the merge on 2026-11-24",
    );
    expect(body).toContain("**seasonality** 2026-11-20 → open-ended");
    expect(body).toContain("| `orders-contract` | 1.2.0 | `orders` |");
    expect(body.indexOf("| comment:ana | 5 | 5 |")).toBeLessThan(body.indexOf("| gx | 3 | 1 |"));
  });

  it("escapes outside text: no HTML, no mentions", () => {
    expect(body).not.toContain("<b>");
    expect(body.replace(/`[^`\n]*`/g, "")).not.toMatch(/@sales|@acme\/data/);
  });

  it("renders the same text for the same data on the same day", () => {
    expect(renderDashboard(data, new Date("2026-11-25T18:00:00Z")).body).toBe(body);
  });

  it("offers action boxes that round-trip through takeCheckedActions", () => {
    expect(body).toContain(`- [ ] <!-- backflow:action rerun-triage ${FP} -->`);
    const ticked = body
      .replace(
        `- [ ] <!-- backflow:action rerun-triage ${FP} -->`,
        `- [x] <!-- backflow:action rerun-triage ${FP} -->`,
      )
      .replace("- [ ] <!-- backflow:action refresh -->", "- [X] <!-- backflow:action refresh -->")
      .replace(
        `- [ ] <!-- backflow:action propose ${FP} -->`,
        `- [x] <!-- backflow:action propose ${FP} -->`,
      );
    expect(body).toContain(`- [ ] <!-- backflow:action propose ${FP} --> Propose a fix for #3`);
    const { actions, cleared } = takeCheckedActions(ticked);
    expect(actions).toEqual([
      { action: "refresh" },
      { action: "rerun-triage", fingerprint: FP },
      { action: "propose", fingerprint: FP },
    ]);
    expect(cleared).toBe(body);
    expect(takeCheckedActions(body).actions).toEqual([]);
  });

  it("says why the issue is not pinned, escaped, right under the introduction", () => {
    expect(body).not.toContain("Not pinned");
    const pinned = renderDashboard(
      { ...data, notPinned: "Limit of 3 pinned issues <b>@admins</b>" },
      NOW,
    ).body;
    const note = pinned.indexOf("**Not pinned:** Limit of 3 pinned issues");
    expect(note).toBeGreaterThan(0);
    expect(note).toBeLessThan(pinned.indexOf("### Open findings"));
    expect(pinned).toContain("— pin it from the issue's sidebar.");
    expect(pinned).not.toMatch(/<b>|@admins/);
  });

  it("says when contracts could not be read", () => {
    const { contracts: _omit, ...rest } = data;
    expect(renderDashboard(rest, NOW).body).toContain("Could not be read from the default branch");
  });
});

describe("renderDashboard expectations", () => {
  const settled: DashboardData = {
    ...data,
    expectations: [
      ...data.expectations,
      {
        pr: 5,
        text: "volume(orders) within 5% of baseline for 7d",
        mode: "for",
        duration: "7d",
        mergedAt: "2026-11-10T00:00:00Z",
        state: "met",
        settledAt: "2026-11-23T10:00:00Z",
        revertPr: null,
      },
      {
        pr: 6,
        text: "completeness(orders.customer_id) >= 0.999 within 1d",
        mode: "within",
        duration: "1d",
        mergedAt: "2026-11-20T00:00:00Z",
        state: "violated",
        settledAt: "2026-11-21T06:00:00Z",
        revertPr: 90,
      },
      {
        pr: 8,
        text: "freshness(orders) <= 2 within 1d",
        mode: "within",
        duration: "1d",
        mergedAt: "2026-11-20T00:00:00Z",
        state: "inconclusive",
        settledAt: "2026-11-22T00:00:00Z",
      },
    ],
  };
  const { body } = renderDashboard(settled, NOW);

  it("counts only the watched ones under watch", () => {
    expect(body).toContain("### Expectations under watch (1)");
    expect(body).toContain("- #7: `completeness(orders.customer_id) >= 0.99` — within 3d");
  });

  it("lists those settled in the last week with their verdict, revert and day", () => {
    expect(body).toContain("Settled in the last 7 days (3):");
    expect(body).toContain("- ✅ met: #5 `volume(orders) within 5% of baseline for 7d` (2026-11-23)");
    expect(body).toContain(
      "- ❌ violated: #6 `completeness(orders.customer_id) >= 0.999 within 1d` — revert #90 (2026-11-21)",
    );
    expect(body).toContain("- ❔ inconclusive: #8 `freshness(orders) <= 2 within 1d` (2026-11-22)");
  });

  it("says nothing of settled expectations when there are none", () => {
    expect(renderDashboard(data, NOW).body).not.toContain("Settled in the last 7 days");
  });
});
