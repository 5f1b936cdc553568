/**
 * A deterministic dbt repository of `n` models for benchmarks: staging models over declared sources,
 * intermediate joins with CTEs, and marts with aggregates and window functions, all wired with refs.
 */
export function syntheticRepo(n: number): Map<string, string> {
  const files = new Map<string, string>();
  const staging = Math.max(2, Math.floor(n * 0.4));
  const intermediate = Math.max(1, Math.floor(n * 0.3));
  const marts = Math.max(1, n - staging - intermediate);
  const sourceTables = Math.max(1, Math.floor(staging / 4));
  files.set("dbt_project.yml", "name: bench\nmodel-paths: ['models']\nvars:\n  start_date: '2020-01-01'\n");
  const sources = Array.from(
    { length: sourceTables },
    (_, i) =>
      `      - name: table_${i}\n        columns:\n          - name: id\n          - name: customer_id\n          - name: amount_cents\n          - name: status\n          - name: created_at`,
  );
  files.set(
    "models/staging/_sources.yml",
    `version: 2\nsources:\n  - name: raw\n    tables:\n${sources.join("\n")}\n`,
  );
  for (let i = 0; i < staging; i += 1) {
    files.set(
      `models/staging/stg_${i}.sql`,
      `with source as (
    select * from {{ source('raw', 'table_${i % sourceTables}') }}
)
select
    id as record_id,
    customer_id,
    cast(amount_cents as numeric) / 100 as amount,
    lower(status) as status,
    created_at
from source
where created_at >= '{{ var("start_date") }}'
`,
    );
  }
  for (let i = 0; i < intermediate; i += 1) {
    const a = i % staging;
    const b = (i * 7 + 3) % staging;
    files.set(
      `models/intermediate/int_${i}.sql`,
      `with a as (
    select record_id, customer_id, amount, status from {{ ref('stg_${a}') }}
),
b as (
    select customer_id, sum(amount) as total_amount, count(*) as n from {{ ref('stg_${b}') }} group by 1
)
select
    a.record_id,
    a.customer_id,
    a.amount,
    coalesce(b.total_amount, 0) as customer_total,
    case when a.status = 'paid' then a.amount else 0 end as paid_amount,
    b.n
from a
left join b on a.customer_id = b.customer_id
`,
    );
  }
  for (let i = 0; i < marts; i += 1) {
    files.set(
      `models/marts/mart_${i}.sql`,
      `select
    customer_id,
    count(distinct record_id) as orders,
    sum(paid_amount) as revenue,
    max(customer_total) as lifetime_total,
    rank() over (order by sum(paid_amount) desc) as revenue_rank
from {{ ref('int_${i % intermediate}') }}
group by 1
`,
    );
  }
  return files;
}
