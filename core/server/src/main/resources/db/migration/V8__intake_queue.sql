-- Requests of receivers configured "acknowledge: queued": stored whole when accepted, answered, and written to
-- the catalog behind, by the server's intake (io.mlcatalog.server.intake), which replays each through its receiver.
-- A row is deleted in the transaction that writes its records; a row the catalog refused keeps why, for an operator.
create table intake_queue (
    id            bigint generated always as identity primary key,
    instance      text not null,
    received_at   timestamptz not null,
    method        text not null,
    path          text not null,
    query         jsonb not null,
    -- only the headers a replay needs (Content-Type): credentials are never stored
    headers       jsonb not null,
    body          bytea not null,
    -- the worker writing the row (a token of its claim) holds it until then; a row whose claim ran out (its server
    -- died) is taken again, and the first claimant's transaction, finding the row no longer its own, rolls back
    claimed_by    uuid,
    claimed_until timestamptz,
    -- claims so far: a request that fails again and again is refused, not retried for ever ahead of the others
    attempts      integer not null default 0,
    refused       text
);

-- request bodies are JSON of some KB to some MB: stored as they are, out of line, without pglz (whose CPU cost
-- would be paid on every request, for rows that live seconds)
alter table intake_queue alter column body set storage external;

create index intake_queue_pending on intake_queue (instance, id) where refused is null;
