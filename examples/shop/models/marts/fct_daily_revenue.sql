{{ config(materialized='table') }}

select
    order_date,
    count(distinct order_id) as order_count,
    count(distinct customer_id) as customer_count,
    sum(amount) as revenue,
    sum(amount) / nullif(count(distinct order_id), 0) as average_order_value
from {{ ref('fct_orders') }}
where status not in ('returned', 'return_pending')
group by order_date
