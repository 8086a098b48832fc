-- Links to runs that are not recorded yet. A storage plugin reads that a file or object was produced by a run (its
-- sidecar says so) before the run itself reaches the catalog, or the other way round. Instead of refusing the link,
-- it waits here, and the write that records the run makes it, in the same transaction: the lineage is the same
-- whatever order the facts arrive in, and the source need not retry.
create table pending_run_link (
    id              uuid primary key,
    -- the run, when named by namespace and name: its id (the run has no row yet, so no foreign key)
    run_id          uuid,
    run_namespace   text check (octet_length(run_namespace) <= 256),
    run_name        text check (octet_length(run_name) <= 512),
    -- the run, when named by external id alone (an MLflow run id), in run_namespace if given
    run_external_id text check (octet_length(run_external_id) <= 512),
    -- what waits: an artifact (CONSUMED, PRODUCED) or a model version (REGISTERED_FROM_RUN)
    subject_id      uuid not null,
    kind            text not null check (kind in ('CONSUMED', 'PRODUCED', 'REGISTERED_FROM_RUN')),
    -- who asserted the link, under which id, when: the assertion the link gets when it is made
    source          text not null check (octet_length(source) between 1 and 256),
    external_id     text check (octet_length(external_id) <= 1024),
    observed_at     timestamptz not null,
    check (run_id is not null or run_external_id is not null)
);
create index pending_run_link_by_run on pending_run_link (run_id) where run_id is not null;
create index pending_run_link_by_external_id on pending_run_link (run_external_id) where run_id is null;

-- a reference by external id alone looks runs up without their namespace
create index run_by_external_id_only on run (external_id) where external_id is not null;
