{{ config(materialized='table') }}

with orders as (

    select
        customer_id,
        order_id,
        order_date,
        amount
    from {{ ref('fct_orders') }}
    where status = 'completed'

)

select
    customer_id,
    order_id,
    order_date,
    amount,
    sum(amount) over (partition by customer_id order by order_date, order_id) as cumulative_revenue,
    row_number() over (partition by customer_id order by order_date, order_id) as order_sequence
from orders
