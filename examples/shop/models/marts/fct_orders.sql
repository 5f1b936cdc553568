{{
    config(
        materialized='incremental',
        unique_key='order_id',
        on_schema_change='append_new_columns'
    )
}}

with orders as (

    select * from {{ ref('stg_orders') }}

),

payments as (

    select * from {{ ref('int_order_payments') }}

),

items as (

    select
        order_id,
        sum(quantity) as item_count
    from {{ ref('stg_order_items') }}
    group by order_id

)

select
    {{ dbt_utils.generate_surrogate_key(['orders.order_id', 'orders.customer_id']) }} as order_key,
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    orders.status,
    payments.credit_card_amount,
    payments.coupon_amount,
    payments.bank_transfer_amount,
    payments.gift_card_amount,
    coalesce(payments.total_amount, 0) as amount,
    coalesce(items.item_count, 0) as item_count,
    orders.updated_at
from orders
left join payments on orders.order_id = payments.order_id
left join items on orders.order_id = items.order_id

{% if is_incremental() %}
-- Only orders changed since the last run; late updates arrive through updated_at.
where orders.updated_at > (select max(updated_at) from {{ this }})
{% endif %}
