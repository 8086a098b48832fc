-- Artifact facets: the named documents OpenLineage (and any plugin) attaches to a dataset (its schema,
-- column lineage, symlinks, data source, statistics, custom ones), kept whole as run and job facets are.
-- One row per facet name; a facet asserted again is replaced only by one from a later event.

create table artifact_facet (
    artifact_id uuid not null references artifact (id),
    name        text not null check (octet_length(name) between 1 and 256),
    event_time  timestamptz not null,
    value       jsonb not null,
    primary key (artifact_id, name)
);
