-- Plugin instances: how far each pull source got, and how each instance is doing.

-- The offset a source reached in each partition (Kafka Connect style). Written in the same transaction
-- as the records of the poll that reported it, so it never runs ahead of what is stored.
create table plugin_checkpoint (
    instance       text not null,
    -- the partition as canonical JSON text (sorted keys): a text key, not jsonb, in the btree
    partition_key  text not null check (octet_length(partition_key) <= 2048),
    partition      jsonb not null,
    "offset"       jsonb not null,
    updated_at     timestamptz not null,
    primary key (instance, partition_key)
);

create table plugin_status (
    instance          text primary key,
    type              text not null,
    status            text not null check (status in ('STARTING', 'OK', 'FAILING', 'DISABLED')),
    last_success_at   timestamptz,
    last_error        text,
    last_error_at     timestamptz,
    records_written   bigint not null default 0,
    records_rejected  bigint not null default 0,
    updated_at        timestamptz not null
);
