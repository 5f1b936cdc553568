with source as (

    select * from {{ source('raw', 'orders') }}

),

renamed as (

    select
        id as order_id,
        -- Keep the application's name for the customer key.
        user_id,
        cast(order_date as date) as order_date,
        lower(status) as status,
        _etl_loaded_at as updated_at
    from source
    where cast(order_date as date) >= '{{ var("start_date") }}'

)

select * from renamed
