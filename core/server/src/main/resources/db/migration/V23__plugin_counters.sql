-- A plugin instance's counters kept apart from its status row (issue 16). Every transaction that writes a receiver's
-- request or a source's poll added to records_written and records_rejected and set last_success_at on the instance's one
-- plugin_status row, and held that row's lock until its commit: the transactions of one instance under way at once
-- committed one after the other, whatever else they wrote. Now a writer adds to the slot of its database connection (its
-- backend's process id modulo 64, as artifact_seen does for a dataset's last-seen time, V16__artifact_seen.sql), so
-- concurrent writers update different rows; the counts are the sums of the instance's slots, and the last success the
-- latest of them. The status row is written only when something on it changes (a status other than OK, an error).

create table plugin_counter (
    instance          text not null,
    slot              smallint not null check (slot between 0 and 63),
    records_written   bigint not null default 0,
    records_rejected  bigint not null default 0,
    last_success_at   timestamptz,
    primary key (instance, slot)
);

insert into plugin_counter (instance, slot, records_written, records_rejected, last_success_at)
select instance, 0, records_written, records_rejected, last_success_at from plugin_status;

alter table plugin_status drop column records_written, drop column records_rejected, drop column last_success_at;
