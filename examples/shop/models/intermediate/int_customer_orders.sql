with orders as (

    select * from {{ ref('stg_orders') }}

),

payments as (

    select * from {{ ref('int_order_payments') }}

)

select
    orders.customer_id,
    min(orders.order_date) as first_order_date,
    max(orders.order_date) as most_recent_order_date,
    count(orders.order_id) as number_of_orders,
    sum(payments.total_amount) as lifetime_value
from orders
left join payments on orders.order_id = payments.order_id
where orders.status <> 'returned'
group by orders.customer_id
