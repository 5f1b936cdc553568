import { describe, expect, it } from "vitest";
import { revertPatch } from "../../../src/core/proposals/revert-patch.js";

const BEFORE_COMMIT = `with source as (
    select * from raw.orders
),

renamed as (
    select
        id as order_id,
        user_id as customer_id,
        lower(status) as status
    from source
)

select * from renamed
`;

// GitHub's files[].patch for a commit that dropped the join key rename and added a filter.
const PATCH = `@@ -5,8 +5,9 @@ with source as (
 renamed as (
     select
         id as order_id,
-        user_id as customer_id,
+        buyer_id as customer_id,
         lower(status) as status
     from source
+    where status <> 'test'
 )
 
 select * from renamed`;

const AFTER_COMMIT = BEFORE_COMMIT.replace("user_id as customer_id", "buyer_id as customer_id").replace(
  "    from source\n)",
  "    from source\n    where status <> 'test'\n)",
);

describe("revertPatch", () => {
  it("reverse-applies a commit's hunks to the file it produced", () => {
    const result = revertPatch({ path: "models/stg_orders.sql", patch: PATCH, current: AFTER_COMMIT });
    expect(result).toEqual({ ok: true, after: BEFORE_COMMIT, hunks: 1 });
  });

  it("finds hunks that later commits moved down (offset fuzz)", () => {
    const header = "-- owned by the orders team\n-- refreshed hourly\n";
    const result = revertPatch({ path: "m.sql", patch: PATCH, current: header + AFTER_COMMIT });
    expect(result).toEqual({ ok: true, after: header + BEFORE_COMMIT, hunks: 1 });
  });

  it("refuses a hunk whose lines were edited since, and says which", () => {
    const edited = AFTER_COMMIT.replace(
      "buyer_id as customer_id",
      "coalesce(buyer_id, user_id) as customer_id",
    );
    const result = revertPatch({ path: "m.sql", patch: PATCH, current: edited });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/m\.sql: hunk 1 .* no longer applies/);
  });

  it("refuses a patch without hunks", () => {
    expect(revertPatch({ path: "img.png", patch: "", current: "x" }).ok).toBe(false);
  });
});
