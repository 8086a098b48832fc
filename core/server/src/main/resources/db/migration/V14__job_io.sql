-- Static lineage: the datasets a job declares it reads and writes (an OpenLineage job event's inputs and
-- outputs), apart from any run of it. A job is a name in a namespace (a run's pipeline); job_id is derived
-- from the two (Ids.job). Declarations add up, as a run's inputs do; since keeps the earliest event's time,
-- so sending a declaration again, or declarations out of order, leaves what in-order arrival would.

create table job_io (
    job_id      uuid not null,
    namespace   text not null references namespace (name),
    job         text not null check (octet_length(job) between 1 and 512),
    direction   text not null check (direction in ('CONSUMED', 'PRODUCED')),
    artifact_id uuid not null references artifact (id),
    since       timestamptz not null,
    primary key (job_id, direction, artifact_id)
);
create index job_io_by_artifact on job_io (artifact_id);
