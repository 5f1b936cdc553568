with source as (

    select * from {{ source('raw', 'customers') }}

)

select
    id as customer_id,
    first_name,
    last_name,
    -- Emails are matched case-insensitively by the CRM, and the signup form
    -- sometimes stores trailing spaces, so both are normalized here.
    lower(trim(email)) as email,
    created_at
from source
