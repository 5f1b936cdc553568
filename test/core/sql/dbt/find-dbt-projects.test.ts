import { describe, expect, it } from "vitest";
import { findDbtProjects, modelNameOf } from "../../../../src/core/sql/dbt/find-dbt-projects.js";

const PROJECT_YML = `name: 'shop'
version: '1.0.0'
model-paths: ["transform"]
vars:
  start_date: '2020-01-01'
  shop:
    currency: EUR
  other_package:
    ignored: true
`;

const RAW_SOURCES = `version: 2

sources:
  - name: jaffle_shop
    database: raw
    schema: jaffle
    tables:
      - name: orders
        columns:
          - name: id
            data_type: integer
          - name: status
      - name: customers
        identifier: customer_rows
`;

const STRIPE_SOURCES = `version: 2
models:
  - name: stg_payments
sources:
  - name: stripe
    tables:
      - name: payment
`;

const tree = new Map([
  ["README.md", "# repo"],
  ["analytics/dbt_project.yml", PROJECT_YML],
  ["analytics/transform/staging/jaffle/_sources.yml", RAW_SOURCES],
  ["analytics/transform/staging/stripe/schema.yaml", STRIPE_SOURCES],
  ["analytics/transform/staging/stg_orders.sql", "select 1"],
  ["analytics/models/not_a_model_path.yml", "sources:\n  - name: ignored\n    tables:\n      - name: t\n"],
  ["analytics/dbt_packages/dbt_utils/dbt_project.yml", "name: dbt_utils\n"],
]);

describe("findDbtProjects", () => {
  it("finds a project in a subfolder with its model paths and flattened vars", () => {
    const [project, ...others] = findDbtProjects(tree);
    expect(others).toEqual([]);
    expect(project).toMatchObject({
      root: "analytics",
      name: "shop",
      modelPaths: ["analytics/transform"],
      macroPaths: ["analytics/macros"],
      vars: { start_date: "2020-01-01", currency: "EUR", other_package: { ignored: true } },
      diagnostics: [],
    });
  });

  it("collects sources from every yml under the model paths, with the line of each table", () => {
    const [project] = findDbtProjects(tree);
    expect(project?.sources).toEqual([
      {
        sourceName: "jaffle_shop",
        tableName: "orders",
        database: "raw",
        schema: "jaffle",
        columns: [{ name: "id", dataType: "integer" }, { name: "status" }],
        file: "analytics/transform/staging/jaffle/_sources.yml",
        line: 8,
      },
      {
        sourceName: "jaffle_shop",
        tableName: "customers",
        identifier: "customer_rows",
        database: "raw",
        schema: "jaffle",
        columns: [],
        file: "analytics/transform/staging/jaffle/_sources.yml",
        line: 13,
      },
      {
        sourceName: "stripe",
        tableName: "payment",
        columns: [],
        file: "analytics/transform/staging/stripe/schema.yaml",
        line: 7,
      },
    ]);
  });

  it("defaults model-paths to models at the repository root", () => {
    const [project] = findDbtProjects(new Map([["dbt_project.yml", "name: root_project\n"]]));
    expect(project).toMatchObject({ root: "", name: "root_project", modelPaths: ["models"], vars: {} });
  });

  it("reports broken YAML with its line instead of throwing", () => {
    const files = new Map([
      ["dbt_project.yml", "name: p\nmodel-paths: [models\n"],
      ["models/bad.yml", "sources:\n  - name: s\n    tables:\n      - name: [unclosed\n"],
    ]);
    const [project] = findDbtProjects(files);
    expect(project?.name).toBe("p");
    expect(project?.diagnostics.map((d) => [d.file, d.severity])).toEqual([
      ["dbt_project.yml", "error"],
      ["models/bad.yml", "error"],
      ["models/bad.yml", "warning"],
    ]);
    expect(project?.diagnostics.every((d) => d.line >= 1)).toBe(true);
  });

  it("names a project after its folder when dbt_project.yml has no name", () => {
    const [project] = findDbtProjects(new Map([["warehouse/dbt_project.yml", "version: 2\n"]]));
    expect(project?.name).toBe("warehouse");
    expect(project?.diagnostics[0]?.severity).toBe("warning");
  });

  it("finds several projects, sorted by root", () => {
    const files = new Map([
      ["b/dbt_project.yml", "name: b\n"],
      ["a/dbt_project.yml", "name: a\nmodel-paths: ['./src/models/']\n"],
    ]);
    expect(findDbtProjects(files).map((p) => [p.name, p.modelPaths])).toEqual([
      ["a", ["a/src/models"]],
      ["b", ["b/models"]],
    ]);
  });
});

describe("modelNameOf", () => {
  const [project] = findDbtProjects(tree);
  it.each([
    ["analytics/transform/marts/fct_orders.sql", "fct_orders"],
    ["analytics/transform/stg_orders.sql", "stg_orders"],
    ["analytics/models/fct_orders.sql", null],
    ["analytics/transform/schema.yml", null],
    ["transform/fct_orders.sql", null],
    ["analytics/transformers/x.sql", null],
  ])("maps %s to %s", (path, expected) => {
    expect(project && modelNameOf(project, path)).toBe(expected);
  });
});
