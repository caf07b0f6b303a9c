{{ renamed_and_cast(
    source('audit', 'loaded_files'),
    [
        ('run_id', 'varchar', 'run_id'),
        ('source', 'varchar', 'source'),
        ('file', 'varchar', 'file_name'),
        ('sha256', 'varchar', 'sha256'),
        ('url', 'varchar', 'url'),
        ('rows_loaded', 'bigint', 'rows_loaded'),
        ('loaded_at', 'timestamptz', 'loaded_at'),
        ('exported_at', 'timestamptz', 'exported_at'),
    ]
) }}
