select
    id as product_id,
    name as product_name,
    coalesce(category, 'uncategorized') as category,
    cast(price as numeric(12, 2)) / 100 as price,
    is_active
from {{ source('raw', 'products') }}
