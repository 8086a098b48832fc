-- An artifact's last-seen time kept apart from its row (issue 16). seen_at (V6__artifact_gone.sql) is the latest event
-- time a record saw the artifact at its URI, which every record naming it advances: every event of every pipeline that
-- reads or writes a dataset updated the dataset's row, and held its lock until commit, so all those transactions waited
-- on each other. Now the time is kept in slots: a writer advances the slot of its database connection (its backend's
-- process id modulo 64), so concurrent writers of one dataset write different rows, and the time is the latest of
-- the artifact's slots.
--
-- What the time decides is whether a "gone since" assertion stands (it must be later than the latest presence). The
-- writers keep that exact with a transaction-scoped advisory lock on the artifact (ArtifactStore; one of 256 buckets, so
-- that a transaction of many artifacts takes a bounded number): shared while they only record a presence, exclusive
-- while they record an absence. An absence is then decided on every presence committed before it, and a presence
-- recorded after it sees it.

create table artifact_seen (
    artifact_id uuid not null,
    slot        smallint not null check (slot between 0 and 63),
    seen_at     timestamptz not null,
    primary key (artifact_id, slot)
);

insert into artifact_seen (artifact_id, slot, seen_at)
select id, 0, seen_at from artifact where seen_at is not null;

-- gone_at > seen_at is now kept by the writers (Merges.artifact under the lock above), across the two tables
alter table artifact drop constraint artifact_gone_after_seen;
alter table artifact drop column seen_at;
