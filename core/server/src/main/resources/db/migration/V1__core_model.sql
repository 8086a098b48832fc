-- The core ML metadata model. Conventions:
--  * every entity id is a deterministic UUID derived from its natural key (see io.mlcatalog.server.model.Ids),
--    so re-sending anything lands on the same row;
--  * every time is timestamptz;
--  * names and URIs are length-checked here as well as in the API, so that no btree key can
--    exceed PostgreSQL's index row limit and no writer can bypass validation;
--  * no jsonb column is part of a btree key.

create table namespace (
    name       text primary key check (octet_length(name) between 1 and 256),
    created_at timestamptz not null default now()
);

create table code_version (
    id           uuid primary key,
    repository   text not null check (octet_length(repository) between 1 and 2048),
    commit_sha   text not null check (commit_sha ~ '^[0-9a-f]{40}([0-9a-f]{24})?$'),
    branches     text[] not null default '{}',
    tags         text[] not null default '{}',
    author       text,
    message      text,
    committed_at timestamptz,
    created_at   timestamptz not null,
    unique (repository, commit_sha)
);
create index code_version_commit on code_version (commit_sha text_pattern_ops);

create table run (
    id              uuid primary key,
    namespace       text not null references namespace (name),
    name            text not null check (octet_length(name) between 1 and 512),
    external_id     text check (octet_length(external_id) between 1 and 512),
    pipeline        text check (octet_length(pipeline) between 1 and 512),
    status          text not null check (status in ('RUNNING', 'SUCCEEDED', 'FAILED', 'ABORTED')),
    -- event time of the status: a status only moves forward in event time, never by arrival order
    status_at       timestamptz not null,
    started_at      timestamptz,
    ended_at        timestamptz,
    run_user        text check (octet_length(run_user) <= 512),
    params          jsonb not null default '{}',
    metrics         jsonb not null default '{}',
    code_version_id uuid references code_version (id),
    parent_id       uuid references run (id),
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    -- "newest first" for every listing of runs
    sort_at         timestamptz generated always as (coalesce(started_at, created_at)) stored
);
create unique index run_natural_key on run (namespace, name, coalesce(external_id, ''));
create index run_by_time on run (sort_at desc, id desc);
create index run_by_namespace on run (namespace, sort_at desc, id desc);
create index run_by_pipeline on run (pipeline, sort_at desc, id desc) where pipeline is not null;
create index run_by_external_id on run (namespace, external_id) where external_id is not null;
create index run_by_code_version on run (code_version_id, sort_at desc, id desc) where code_version_id is not null;
create index run_by_parent on run (parent_id) where parent_id is not null;

create table artifact (
    id         uuid primary key,
    namespace  text not null references namespace (name),
    name       text not null check (octet_length(name) between 1 and 512),
    uri        text not null check (octet_length(uri) between 1 and 2048),
    -- "sha256:<hex>", "etag:<etag>", "s3-version:<id>", ...; null when the source knows none
    digest     text check (octet_length(digest) between 3 and 300),
    size_bytes bigint check (size_bytes >= 0),
    media_type text check (octet_length(media_type) <= 255),
    kind       text not null check (kind in ('DATASET', 'MODEL', 'OTHER')),
    created_at timestamptz not null
);
-- identity is URI + content: the same URI with a new digest is a new artifact version
create unique index artifact_natural_key on artifact (uri, coalesce(digest, ''));
create index artifact_by_digest on artifact (digest) where digest is not null;
create index artifact_by_uri on artifact (uri text_pattern_ops);
create index artifact_by_time on artifact (created_at desc, id desc);
create index artifact_by_namespace on artifact (namespace, created_at desc, id desc);

create table model (
    id          uuid primary key,
    namespace   text not null references namespace (name),
    name        text not null check (octet_length(name) between 1 and 256),
    description text,
    created_at  timestamptz not null,
    unique (namespace, name)
);
create index model_by_time on model (created_at desc, id desc);
create index model_by_name on model (name);

create table model_version (
    id             uuid primary key,
    model_id       uuid not null references model (id),
    version        text not null check (octet_length(version) between 1 and 128),
    -- set when the version is a plain number: auto-numbering takes the highest plus one
    version_number integer,
    status         text not null default 'READY' check (status in ('READY', 'ARCHIVED')),
    description    text,
    artifact_id    uuid references artifact (id),
    run_id         uuid references run (id),
    created_at     timestamptz not null,
    unique (model_id, version)
);
create index model_version_by_time on model_version (model_id, created_at desc, id desc);
create index model_version_by_run on model_version (run_id) where run_id is not null;
create index model_version_by_artifact on model_version (artifact_id) where artifact_id is not null;

-- Every assignment or removal of an alias, as asserted, in event time. The source of truth
-- from which alias intervals are derived, so that events arriving out of order still give
-- the intervals they would have given in order.
create table alias_event (
    model_id         uuid not null references model (id),
    name             text not null check (octet_length(name) between 1 and 128),
    at               timestamptz not null,
    model_version_id uuid references model_version (id), -- null: the alias was removed
    set_by           text not null,
    primary key (model_id, name, at)
);

-- Alias intervals [since, until): what an alias meant at any instant.
create table alias (
    model_id         uuid not null references model (id),
    name             text not null,
    model_version_id uuid not null references model_version (id),
    since            timestamptz not null,
    until            timestamptz,
    set_by           text not null,
    primary key (model_id, name, since),
    check (until is null or until > since)
);
create unique index alias_current on alias (model_id, name) where until is null;
create index alias_by_version on alias (model_version_id, since);

create table deployment (
    id               uuid primary key,
    namespace        text not null references namespace (name),
    environment      text not null check (octet_length(environment) between 1 and 256),
    target           text not null check (octet_length(target) between 1 and 512),
    model_version_id uuid not null references model_version (id),
    status           text not null check (status in ('ACTIVE', 'ENDED', 'FAILED')),
    traffic_percent  double precision check (traffic_percent between 0 and 100),
    replicas         integer check (replicas >= 0),
    config           jsonb,
    deployed_by      text check (octet_length(deployed_by) <= 512),
    started_at       timestamptz not null,
    ended_at         timestamptz,
    check (ended_at is null or ended_at >= started_at)
);
create unique index deployment_natural_key on deployment (namespace, environment, target, model_version_id, started_at);
create index deployment_by_target on deployment (namespace, environment, target, started_at desc);
create index deployment_by_version on deployment (model_version_id, started_at desc, id desc);
create index deployment_by_time on deployment (started_at desc, id desc);

-- Tags of runs, models and model versions.
create table tag (
    entity_id uuid not null,
    key       text not null check (octet_length(key) between 1 and 256),
    value     text check (octet_length(value) <= 4096),
    primary key (entity_id, key)
);
create index tag_by_key_value on tag (key, value);

-- The one edge table every lineage walk uses. Edges point the way data flows:
--   artifact -CONSUMED-> run, run -PRODUCED-> artifact, code_version -BUILT_FROM-> run,
--   run -REGISTERED_FROM_RUN-> model_version, artifact -REGISTERED_FROM_ARTIFACT-> model_version,
--   model_version -DEPLOYED_AS-> deployment.
-- Kept in step with the rows above, in the same transaction.
create table lineage_edge (
    id         uuid primary key,
    from_id    uuid not null,
    from_type  text not null,
    to_id      uuid not null,
    to_type    text not null,
    kind       text not null check (kind in ('CONSUMED', 'PRODUCED', 'BUILT_FROM',
                                             'REGISTERED_FROM_RUN', 'REGISTERED_FROM_ARTIFACT', 'DEPLOYED_AS')),
    -- when the relation became true and, for deployments, when it stopped being true
    since      timestamptz,
    until      timestamptz,
    created_at timestamptz not null,
    unique (from_id, to_id, kind)
);
create index lineage_edge_by_to on lineage_edge (to_id, kind);

-- Inputs and outputs of runs, as the data model names them: a view of the edge table, so the
-- two can never disagree.
create view run_io as
select case kind when 'CONSUMED' then to_id else from_id end as run_id,
       case kind when 'CONSUMED' then from_id else to_id end as artifact_id,
       kind                                                  as direction,
       since                                                 as at
from lineage_edge
where kind in ('CONSUMED', 'PRODUCED');

-- Which source (plugin instance or API client) asserted each row or edge, its id there, and
-- when it was first observed.
create table assertion (
    subject_id  uuid not null,
    source      text not null check (octet_length(source) between 1 and 256),
    external_id text check (octet_length(external_id) <= 1024),
    observed_at timestamptz not null,
    primary key (subject_id, source)
);

-- Append-only: every write that changed something, who made it, and what it changed.
create table change_log (
    id          bigint generated always as identity primary key,
    at          timestamptz not null,
    actor       text not null,
    entity_id   uuid not null,
    entity_type text not null,
    action      text not null,
    before      jsonb,
    after       jsonb
);
create index change_log_by_entity on change_log (entity_id, id desc);

create function change_log_is_append_only() returns trigger language plpgsql as
$$
begin
    raise exception 'change_log is append-only';
end;
$$;
create trigger change_log_append_only
    before update or delete on change_log
    for each statement execute function change_log_is_append_only();
