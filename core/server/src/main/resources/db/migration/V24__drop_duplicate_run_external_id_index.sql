-- run_by_external_id_alone (V22) is the same index as run_by_external_id_only (V6_1): btree (external_id) where external_id
-- is not null. Every run with an external id (every OpenLineage run) was written into both; one answers every query either
-- answered.
drop index if exists run_by_external_id_alone;
