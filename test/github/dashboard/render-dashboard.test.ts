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
    expect(body).toContain("| orders\\-contract | 1.2.0 | orders |");
    expect(body.indexOf("| comment:ana | 5 | 5 |")).toBeLessThan(body.indexOf("| gx | 3 | 1 |"));
  });

  it("escapes outside text: no HTML, no mentions", () => {
    expect(body).not.toContain("<b>");
    expect(body).not.toMatch(/@sales|@acme\/data/);
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
    expect(body).toContain(`- [ ] <!-- backflow:action propose ${FP} --> Propose a fix for #3 `);
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
