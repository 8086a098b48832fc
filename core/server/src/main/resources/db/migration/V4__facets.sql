-- Facets: the free-form, named documents OpenLineage (and any plugin) attaches to runs and jobs, kept
-- whole, whatever their schema. One row per facet name; a facet asserted again is replaced only by one
-- from a later event, so events that arrive out of order leave what in-order arrival would.

create table run_facet (
    run_id     uuid not null references run (id),
    name       text not null check (octet_length(name) between 1 and 256),
    event_time timestamptz not null,
    value      jsonb not null,
    primary key (run_id, name)
);

-- Job facets belong to the job (a pipeline of a namespace), not to one of its runs.
create table job_facet (
    namespace  text not null references namespace (name),
    job        text not null check (octet_length(job) between 1 and 512),
    name       text not null check (octet_length(name) between 1 and 256),
    event_time timestamptz not null,
    value      jsonb not null,
    primary key (namespace, job, name)
);
