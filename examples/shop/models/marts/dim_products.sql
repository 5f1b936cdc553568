{{ config(materialized='table') }}

with products as (

    select * from {{ ref('stg_products') }}

),

sales as (

    select
        product_id,
        sum(quantity) as units_sold,
        sum(line_total) as revenue
    from {{ ref('stg_order_items') }}
    group by product_id

)

select
    products.product_id,
    products.product_name,
    products.category,
    products.price,
    products.is_active,
    coalesce(sales.units_sold, 0) as units_sold,
    coalesce(sales.revenue, 0) as revenue
from products
left join sales on products.product_id = sales.product_id
