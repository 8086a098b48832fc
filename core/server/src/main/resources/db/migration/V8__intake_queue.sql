-- Requests of receivers configured "acknowledge: queued": stored whole when accepted, answered, and written to
-- the catalog behind, by the server's intake (io.mlcatalog.server.intake), which replays each through its receiver.
-- A row is deleted once its records are committed; a row the catalog refused keeps why, for an operator to read.
create table intake_queue (
    id            bigint generated always as identity primary key,
    instance      text not null,
    received_at   timestamptz not null,
    method        text not null,
    path          text not null,
    query         jsonb not null,
    -- the request's headers, minus credentials (Authorization, Cookie): a secret is never stored
    headers       jsonb not null,
    body          bytea not null,
    -- a server writing the row holds it until then; a row whose lease ran out (its server died) is taken again
    claimed_until timestamptz,
    refused       text
);

-- request bodies are JSON of some KB to some MB: stored as they are, out of line, without pglz (whose CPU cost
-- would be paid on every request, for rows that live seconds)
alter table intake_queue alter column body set storage external;

create index intake_queue_pending on intake_queue (instance, id) where refused is null;
