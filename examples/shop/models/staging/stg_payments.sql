select
    id as payment_id,
    order_id,
    payment_method,
    -- amount is stored in cents
    cast(amount as numeric(12, 2)) / 100 as amount,
    created_at
from {{ source('raw', 'payments') }}
