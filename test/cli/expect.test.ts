import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { captureIO as capture } from "./capture-io.js";

const dir = mkdtempSync(join(tmpdir(), "backflow-expect-"));
mkdirSync(join(dir, "models"), { recursive: true });
writeFileSync(join(dir, "models", "orders.sql"), "select id, customer_id, amount from raw.orders\n");
writeFileSync(
  join(dir, "good.md"),
  "Fix\n\n```expects\n- metric: completeness(orders.customer_id) >= 0.99 within 3d\n```\n",
);
writeFileSync(
  join(dir, "bad.md"),
  "```expects\n- metric: completeness(orders.customer) >= 0.99 within 3d\n- metric: volume(orders) >= 1\n```\n",
);
writeFileSync(join(dir, "none.md"), "No block here.\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("backflow expect check", () => {
  it("accepts expectations that name datasets and columns in the local lineage", async () => {
    const io = capture(dir);
    expect(await runCli(["expect", "check", "good.md"], io)).toBe(0);
    expect(io.stdout()).toContain(
      "ok    line 4: completeness(orders.customer_id) >= 0.99 within 3d (watches orders.customer_id)",
    );
  });

  it("exits 1 and lists every problem with its line", async () => {
    const io = capture(dir);
    expect(await runCli(["expect", "check", "bad.md", "--repo", "."], io)).toBe(1);
    expect(io.stderr()).toContain(
      "error line 2: column customer is not in orders — did you mean customer_id?",
    );
    expect(io.stderr()).toContain("error line 3: expected within <duration> or for <duration> at the end");
    expect(io.stdout()).toContain("0 expectation(s) valid, 2 problem(s)");
  });

  it("passes a body without an expects block, and refuses a wrong invocation", async () => {
    expect(await runCli(["expect", "check", "none.md"], capture(dir))).toBe(0);
    const io = capture(dir);
    expect(await runCli(["expect", "verify", "none.md"], io)).toBe(2);
    expect(io.stderr()).toContain("usage: backflow expect check");
  });
});
