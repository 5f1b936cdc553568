import { describe, expect, it } from "vitest";
import { renderProposal } from "../../../src/core/render/render-proposal.js";
import { finding } from "../proposals/fixtures.js";

const proposal = {
  kind: "cleansing" as const,
  title: "Cleansing rule for completeness on fct_orders.customer_id",
  edits: [{ path: "models/marts/fct_orders.sql", before: "a", after: "b" }],
  rationale: "drops rows where customer_id is null",
  risk: "medium" as const,
  cost: "drops rows; how many is unknown until run",
  expects: ["completeness(fct_orders.customer_id) >= 0.99 within 3d"],
  breaking: false,
};

describe("renderProposal", () => {
  it("links the drift issue, states evidence, cost, consumers and the expects block, with the marker", () => {
    const f = finding({
      tableId: "fct_orders",
      column: "customer_id",
      metric: "completeness",
      observed: 0.9,
      threshold: { from: "config", min: 0.99 },
    });
    const { title, body } = renderProposal({
      proposal,
      finding: f,
      issueNumber: 42,
      consumers: ["customer_ltv", "fct_daily_revenue"],
    });
    expect(title).toBe("Backflow: Cleansing rule for completeness on fct_orders.customer_id");
    expect(body.startsWith(`<!-- backflow:proposal ${f.fingerprint} cleansing -->`)).toBe(true);
    expect(body).toContain("drift issue #42");
    expect(body).toContain("observed **0.9** against threshold min 0.99");
    expect(body).toContain("unknown until run");
    expect(body).toContain("`customer_ltv`, `fct_daily_revenue`");
    expect(body).toContain(
      "```\nexpects:\n  - metric: completeness(fct_orders.customer_id) >= 0.99 within 3d\n```",
    );
  });

  it("escapes untrusted text from the finding and the proposal", () => {
    const f = finding({ tableId: "t", reason: "<img src=x> @admin see https://evil.example" });
    const { body } = renderProposal({
      proposal: { ...proposal, rationale: "[click](https://evil.example) @team" },
      finding: f,
    });
    expect(body).not.toContain("<img");
    expect(body).not.toMatch(/@admin|@team/);
    expect(body).not.toContain("](https://");
  });

  it("says there is nothing to change instead of listing no files with a risk", () => {
    const f = finding({ tableId: "fct_orders", column: "customer_id", observed: undefined });
    const { body } = renderProposal({
      proposal: { ...proposal, kind: "contract", edits: [], rationale: "the contract already allows it" },
      finding: f,
    });
    expect(body).toContain("**Nothing to change:** no file needs an edit for this finding.");
    expect(body).toContain("**Why:** the contract already allows it");
    expect(body).not.toMatch(/Files:|Risk:|threshold \(none\)/);
  });
});
