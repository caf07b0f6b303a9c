{#-
    100 * numerator / denominator, rounded half-up to `scale` decimals, exactly: integer
    arithmetic on the value scaled by 10^scale, then a decimal multiplication (DuckDB's
    `/` on decimals returns a double, so it is never used). Null when the denominator
    is 0. Both arguments must be non-negative integers.
    e.g. 2/3 -> 66.7, 1/8 -> 12.5, 1/16 -> 6.3 (6.25 rounds up).
-#}
{% macro pct_half_up(numerator, denominator, precision=4, scale=1) -%}
    {%- set factor = 10 ** scale -%}
    {%- set unit = "0." ~ ("0" * (scale - 1)) ~ "1" -%}
    cast(
        cast(
            (2 * 100 * {{ factor }} * cast({{ numerator }} as bigint) + cast({{ denominator }} as bigint))
            // nullif(2 * cast({{ denominator }} as bigint), 0)
            as decimal(18, 0)
        ) * cast('{{ unit }}' as decimal({{ scale + 1 }}, {{ scale }}))
        as decimal({{ precision }}, {{ scale }})
    )
{%- endmacro %}
