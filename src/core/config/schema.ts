import { z } from "zod";

/** SQL dialects a repository may declare; `src/core/sql/dialects.ts` maps them onto node-sql-parser's. */
export const DialectSchema = z
  .enum(["bigquery", "snowflake", "postgres", "redshift", "mysql", "trino", "duckdb", "ansi"])
  .describe("The SQL dialect the models are written in.");
export type Dialect = z.infer<typeof DialectSchema>;

const Glob = z.string().min(1, "a glob pattern cannot be empty");
const Owner = z
  .string()
  .regex(
    /^@[A-Za-z0-9-]+(\/[A-Za-z0-9_.-]+)?$|^[^@\s]+@[^@\s]+$/,
    "an owner is @user, @org/team or an email",
  );

export const MetricKindSchema = z
  .enum(["freshness", "completeness", "volume", "consistency", "drift", "performance", "custom"])
  .describe("The family a metric belongs to; it selects the default threshold.");
export type MetricKind = z.infer<typeof MetricKindSchema>;

export const ThresholdSchema = z
  .strictObject({
    dataset: z.string().min(1).describe("Lineage table id or glob (e.g. `orders`, `marts.*`)."),
    column: z.string().min(1).optional(),
    metric: z
      .string()
      .min(1)
      .describe("Metric name or kind (e.g. `nullValues`, `completeness`, `rowCount`)."),
    min: z.number().optional().describe("Breach when the value is below this."),
    max: z.number().optional().describe("Breach when the value is above this."),
    relative: z
      .number()
      .positive()
      .optional()
      .describe("Breach when the value moves more than this fraction from the baseline (0.2 = 20%)."),
    zscore: z
      .number()
      .positive()
      .optional()
      .describe("Breach when |z| over the stored history exceeds this."),
    consecutive: z.number().int().min(1).optional().describe("Breaches in a row before an issue opens."),
    recoverAfter: z.number().int().min(1).optional().describe("Healthy points in a row before it closes."),
  })
  .refine(
    (t) => t.min !== undefined || t.max !== undefined || t.relative !== undefined || t.zscore !== undefined,
    {
      message: "a threshold needs at least one of min, max, relative or zscore",
    },
  );
export type Threshold = z.infer<typeof ThresholdSchema>;

export const PermissionSchema = z.enum(["read", "triage", "write", "maintain", "admin"]);
export type Permission = z.infer<typeof PermissionSchema>;

export const CommandNameSchema = z.enum([
  "help",
  "report",
  "annotate",
  "lineage",
  "propose",
  "snooze",
  "resolve",
  "rollback",
]);

export const ConfigSchema = z
  .strictObject({
    version: z.literal(1).default(1).describe("Schema version of this file; only 1 exists."),
    dialect: DialectSchema.default("postgres"),
    models: z
      .strictObject({
        paths: z.array(Glob).min(1).default(["models/**/*.sql", "sql/**/*.sql"]),
        exclude: z.array(Glob).default([]),
      })
      .prefault({})
      .describe("Where the SQL models are. A dbt project (dbt_project.yml) uses its own model-paths."),
    lineage: z
      .strictObject({
        catalog: z
          .string()
          .min(1)
          .optional()
          .describe(
            "Path of a dbt catalog.json in the repository (e.g. target/catalog.json): the columns of tables no model or YAML lists, used to expand SELECT *.",
          ),
      })
      .prefault({})
      .describe("How lineage is built beyond the SQL itself."),
    contracts: z
      .strictObject({
        paths: z
          .array(Glob)
          .min(1)
          .default([
            "contracts/**/*.yaml",
            "contracts/**/*.yml",
            "**/*.odcs.yaml",
            "**/datacontract.yaml",
            "**/datacontract.yml",
            "**/*.datacontract.yaml",
          ]),
        bindings: z
          .record(z.string(), z.string())
          .default({})
          .describe("Contract id → lineage table id, when the contract's names do not match a model."),
        widening: z
          .enum(["breaking", "non-breaking"])
          .default("breaking")
          .describe(
            "A type change that widens (int → bigint, varchar(10) → varchar(50)): breaking by default, as dbt treats every data_type change; `non-breaking` opts out.",
          ),
      })
      .prefault({}),
    owners: z
      .record(z.string(), z.array(Owner).min(1))
      .default({})
      .describe("Table id or glob → owners. Falls back to the contract's team, then CODEOWNERS."),
    impact: z
      .strictObject({
        breakingConclusion: z
          .enum(["action_required", "failure"])
          .default("action_required")
          .describe("Check run conclusion for an unacknowledged breaking change."),
        severity: z
          .array(z.strictObject({ path: Glob, level: z.enum(["warn", "fail"]) }))
          .default([])
          .describe("Per path or model: `warn` reports breaking changes as neutral instead of blocking."),
      })
      .prefault({}),
    signals: z
      .strictObject({
        thresholds: z.array(ThresholdSchema).default([]),
        datasets: z
          .record(z.string(), z.string())
          .default({})
          .describe("Dataset name as tools send it (db.schema.table, dbt unique id) → lineage table id."),
        suppressRepeatsFor: z
          .string()
          .regex(/^\d+[mhd]$/, "a duration such as 30m, 6h or 2d")
          .default("6h"),
        learnFromClosed: z
          .boolean()
          .default(true)
          .describe(
            "Closing a drift issue as not planned relaxes that finding's limit just past the values seen while it was open; reopening undoes it.",
          ),
      })
      .prefault({}),
    labels: z
      .strictObject({
        drift: z.string().min(1).default("backflow:drift"),
        proposal: z.string().min(1).default("backflow:proposal"),
        breaking: z.string().min(1).default("backflow:breaking"),
      })
      .prefault({}),
    commands: z
      .strictObject({
        permission: PermissionSchema.default("write").describe("Least permission needed to run commands."),
        permissions: z
          .partialRecord(CommandNameSchema.exclude(["help"]), PermissionSchema)
          .default({})
          .describe("Per-command least permission, overriding `permission` (e.g. rollback: maintain)."),
        openToCommenters: z
          .array(
            z.enum(["report", "annotate"], {
              error:
                "only report and annotate may be opened to anyone who can comment; give other commands a level in commands.permissions",
            }),
          )
          .default([])
          .describe("Commands anyone who can comment may run: report and annotate, which change no code."),
      })
      .prefault({}),
    proposals: z
      .strictObject({
        mode: z.enum(["on-command", "auto"]).default("on-command"),
        auto: z
          .array(z.string())
          .default([])
          .describe("Metrics or datasets for which proposals open automatically."),
      })
      .prefault({}),
    rollback: z.enum(["manual", "auto"]).default("manual"),
    review: z
      .enum(["weekly", "monthly", "quarterly", "off"])
      .default("monthly")
      .describe("How often the loop's review is produced (periods in UTC); `off` disables it."),
    canary: z
      .union([
        z.literal("off"),
        z
          .strictObject({
            window: z
              .string()
              .regex(/^\d+[mhd]$/, "a duration such as 12h or 3d")
              .default("3d")
              .describe("How long after a merge its watched columns are compared with their history."),
            quiet: z.boolean().default(false).describe("No comment when a window ends clean."),
          })
          .prefault({}),
      ])
      .default({ window: "3d", quiet: false })
      .describe("Post-merge canary of every merged pipeline change; `off` disables it."),
    assignTeams: z
      .boolean()
      .default(false)
      .describe("Mention owner teams on issues (users are always assigned)."),
  })
  .describe("Backflow repository configuration (.github/backflow.yml).");

export type BackflowConfig = z.infer<typeof ConfigSchema>;
export type BackflowConfigInput = z.input<typeof ConfigSchema>;

export const CONFIG_PATH = ".github/backflow.yml";
