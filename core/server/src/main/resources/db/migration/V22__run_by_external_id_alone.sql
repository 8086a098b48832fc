-- Marquez's GET /api/v1/jobs/runs/{id} names a run by its OpenLineage runId alone, without its namespace:
-- run_by_external_id (namespace, external_id) cannot answer that without reading every namespace's runs.
create index run_by_external_id_alone on run (external_id) where external_id is not null;
