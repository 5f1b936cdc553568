import { describe, expect, it } from "vitest";
import { adaptSignals } from "../../../src/core/signals/detect-format.js";
import { ctx, loadSignalFixture } from "./fixture.js";

// Bodies copied from public repositories; see test/fixtures/signals/real/README.md for each source.
const real = (name: string) => loadSignalFixture(`real/${name}`);

describe("real dbt run_results.json across versions", () => {
  it.each([
    ["dbt-0.21.0-run_results.OpenLineage-integration-common-tests-dbt-test.json", 14, 4],
    ["dbt-1.0.0-run_results.OpenLineage-integration-common-tests-dbt-spark-thrift.json", 20, 0],
    ["dbt-1.7.0-run_results.OpenLineage-integration-common-tests-dbt-singular_test.json", 2, 1],
    ["dbt-1.8.9-run_results.OpenLineage-integration-common-tests-dbt-duckdb.json", 0, 0],
  ])("%s gives %i test signals, %i of them failing", (file, total, failing) => {
    const signals = adaptSignals(real(file), { ...ctx, hint: "dbt" });
    expect(signals).toHaveLength(total);
    expect(signals.filter((s) => s.status === "firing")).toHaveLength(failing);
    expect(signals.every((s) => s.type === "check_failed")).toBe(true);
  });

  it("reads the failures of a dbt 1.7 singular test and names its table from the compiled SQL", () => {
    const [pass, fail] = adaptSignals(
      real("dbt-1.7.0-run_results.OpenLineage-integration-common-tests-dbt-singular_test.json"),
      ctx,
    );
    expect(pass).toMatchObject({ status: "resolved", dataset: { name: "my_schema.orders" } });
    expect(fail).toMatchObject({
      status: "firing",
      dataset: { name: "my_schema.orders" },
      check: { ruleId: "test.my_project.assert_row_count_within_range" },
      measurement: { value: 5, failingRows: 5 },
      observedAt: "2024-01-15T10:00:03.000Z",
    });
  });
});

describe("real OpenLineage events from the dbt integration", () => {
  it("maps a COMPLETE event's passing assertions to resolved check signals per column", () => {
    const signals = adaptSignals(
      real("openlineage-dbt-test-complete.OpenLineage-integration-common-tests-dbt-test-result.json"),
      ctx,
    );
    expect(signals.map((s) => [s.status, s.dataset.name, s.column])).toEqual([
      ["resolved", "random-gcp-project.dbt_test1.test_third_dbt_model", "id"],
      ["resolved", "random-gcp-project.dbt_test1.test_third_dbt_model", "second_id"],
      ["resolved", "random-gcp-project.dbt_test1.test_third_dbt_model", "id"],
      ["resolved", "random-gcp-project.dbt_test1.test_third_dbt_model", "second_id"],
    ]);
    expect(signals.every((s) => s.measuredOnly === undefined)).toBe(true);
  });

  it("maps a FAIL event without outputs to the job's input dataset, not to the job's name", () => {
    const [failed, ...rest] = adaptSignals(
      real("openlineage-dbt-fail-no-outputs.OpenLineage-integration-common-tests-dbt-fail-result.json"),
      ctx,
    );
    expect(rest).toEqual([]);
    expect(failed).toMatchObject({
      type: "run_failed",
      status: "firing",
      dataset: { namespace: "bigquery", name: "random-gcp-project.dbt_test1.source_table" },
    });
  });

  it("maps a FAIL event without any dataset to the dbt node a facet names, else to the job as sent", () => {
    const event = real(
      "openlineage-dbt-fail-no-outputs.OpenLineage-integration-common-tests-dbt-fail-result.json",
    ) as Record<string, unknown>;
    const bare = { ...event, inputs: [], outputs: [] };
    const [byJob] = adaptSignals(bare, ctx);
    expect(byJob?.dataset).toEqual({
      namespace: "job:job-namespace",
      name: "random-gcp-project.dbt_test1.dbt_bigquery_test.test_second_parallel_dbt_model",
    });
    const withNode = {
      ...bare,
      job: {
        ...(event.job as object),
        facets: { dbt_node: { unique_id: "model.dbt_bigquery_test.test_second_parallel_dbt_model" } },
      },
    };
    const [byNode] = adaptSignals(withNode, ctx);
    expect(byNode?.dataset).toEqual({
      name: "test_second_parallel_dbt_model",
      dbtUniqueId: "model.dbt_bigquery_test.test_second_parallel_dbt_model",
    });
  });
});
