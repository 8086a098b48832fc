-- Which catalog node polls each pull source. Several nodes on one database run the same configuration; a source must
-- be polled by one of them at a time. The node holding a lease renews it every few seconds; another node takes it
-- over once it has run out (the holder died, or lost the database). Times are the database's (now()), so the nodes'
-- clocks need not agree. The batch of a poll renews the lease in its own transaction, and is rolled back when the
-- lease was taken over meanwhile: a node that lost its lease never writes a poll or moves a checkpoint.
create table source_lease (
    instance     text primary key,
    holder       text not null,
    acquired_at  timestamptz not null,
    expires_at   timestamptz not null
);
