-- The transaction that inserted each edge. The server's in-memory reachability index (blastRadius, see
-- io.mlcatalog.server.lineage.ReachabilityIndex) loads the whole edge table once, under one snapshot, and from then
-- on only the edges of transactions that snapshot did not see: those with inserted_by at or above its xmin that it
-- does not count as visible. Transactions commit in any order, so a position (a sequence, a timestamp) could not say
-- which edges a snapshot saw; the transaction id and the snapshot can.
--
-- Rows from before this migration keep null: every snapshot the index ever takes sees them, so the first load has them.
-- The default is set after the column is added, so adding it does not rewrite the table.
alter table lineage_edge add column inserted_by xid8;
alter table lineage_edge alter column inserted_by set default pg_current_xact_id();
create index lineage_edge_inserted_by on lineage_edge (inserted_by);
