-- Outgoing webhooks: the change feed's events POSTed to receivers, signed, each at least once, retried with backoff.
create table webhook (
    id         uuid primary key,
    name       text not null unique check (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    url        text not null check (octet_length(url) <= 2048),
    -- the HMAC key of the signatures: a receiver checks them with it, so it is kept as it is (never shown, never logged)
    secret     text not null,
    -- which events (kinds, namespace, model, pipeline, environment, target), as EventFilter
    filter     jsonb not null default '{}',
    active     boolean not null default true,
    -- the change feed's position up to which this webhook's deliveries are made
    position   bigint not null,
    -- 'api' (made by a mutation) or 'config' (mlcatalog.yaml: made and updated at start)
    origin     text not null check (origin in ('api', 'config')),
    created_by text,
    created_at timestamptz not null
);

create table webhook_delivery (
    id              bigint generated always as identity primary key,
    webhook_id      uuid not null references webhook (id) on delete cascade,
    seq             bigint not null,
    status          text not null check (status in ('PENDING', 'DELIVERED', 'FAILED')),
    attempts        integer not null default 0,
    next_attempt_at timestamptz,
    -- a node sending it holds it until then: another node takes it over if that node dies
    claimed_until   timestamptz,
    last_attempt_at timestamptz,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz not null,
    unique (webhook_id, seq)
);
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where status = 'PENDING';
create index webhook_delivery_log on webhook_delivery (webhook_id, id desc);
