select
    id as order_item_id,
    order_id,
    product_id,
    quantity,
    cast(unit_price as numeric(12, 2)) / 100 as unit_price,
    quantity * cast(unit_price as numeric(12, 2)) / 100 as line_total
from {{ source('raw', 'order_items') }}
where quantity > 0
