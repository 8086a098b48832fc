-- The change feed: every change-log entry in the order readers get it, numbered densely, for subscriptions, outgoing
-- webhooks and `since:` replay, on every node.
--
-- change_log.id is handed out when a row is inserted, not when its transaction commits: a reader that follows it
-- (id > the last seen) would skip a row whose transaction committed after a later id's. So entries are numbered only
-- once no transaction that could still add an earlier one is running: in the order of (transaction id, id), for the
-- transactions older than every running one (pg_snapshot_xmin). One sequencer at a time (an advisory lock) appends
-- the new ones to change_feed with the next numbers; a reader follows change_feed.seq, which never has a gap.

alter table change_log add column tx xid8 not null default pg_current_xact_id();
create index change_log_by_tx on change_log (tx, id);

-- with what subscribers filter on, of the entity changed: its namespace (null for code versions, which have none; what a
-- token may read decides which events it sees), the model of a model, version or deployment, a run's pipeline, a
-- deployment's environment and target
create table change_feed (
    seq         bigint primary key,
    change_id   bigint not null,
    namespace   text,
    model       text,
    pipeline    text,
    environment text,
    target      text
);
create index change_feed_by_namespace on change_feed (namespace, seq);

-- how far the sequencer got: the last entry numbered, by (tx, change_id), and its number
create table change_feed_position (
    singleton boolean primary key default true check (singleton),
    tx        xid8 not null,
    change_id bigint not null,
    seq       bigint not null
);

create function change_subject(entity_type text, entity_id uuid)
    returns table (namespace text, model text, pipeline text, environment text, target text)
    language sql stable as
$$
select r.namespace, null, r.pipeline, null, null from run r where entity_type = 'run' and r.id = entity_id
union all
select a.namespace, null, null, null, null from artifact a where entity_type = 'artifact' and a.id = entity_id
union all
select m.namespace, m.name, null, null, null from model m where entity_type = 'model' and m.id = entity_id
union all
select m.namespace, m.name, null, null, null
from model_version v join model m on m.id = v.model_id where entity_type = 'model_version' and v.id = entity_id
union all
select d.namespace, m.name, null, d.environment, d.target
from deployment d join model_version v on v.id = d.model_version_id join model m on m.id = v.model_id
where entity_type = 'deployment' and d.id = entity_id
$$;

-- a writer's commit wakes the sequencers (one notification a transaction, whatever it wrote)
create function change_log_notify() returns trigger language plpgsql as
$$
begin
    perform pg_notify('mlcatalog_change_log', '');
    return null;
end;
$$;
create trigger change_log_notify after insert on change_log for each statement execute function change_log_notify();

-- the history so far, in id order: the transactions that wrote it are over
insert into change_feed (seq, change_id, namespace, model, pipeline, environment, target)
select row_number() over (order by c.id), c.id, s.namespace, s.model, s.pipeline, s.environment, s.target
from change_log c left join lateral change_subject(c.entity_type, c.entity_id) s on true;

insert into change_feed_position (tx, change_id, seq)
select pg_current_xact_id(), coalesce(max(c.id), 0), count(*) from change_log c;
