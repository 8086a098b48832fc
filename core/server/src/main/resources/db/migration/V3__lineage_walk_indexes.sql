-- Lineage walks read, for each node of a hop, its newest edges in one direction. These indexes hold
-- everything a hop selects (INCLUDE), ordered by the edge's time, so that a hop is a short index range
-- scan per node (an index-only scan once the table is vacuumed) and "the first N edges" never sorts.
create index lineage_edge_upstream on lineage_edge (to_id, since desc nulls last)
    include (from_id, from_type, to_type, kind, until);
create index lineage_edge_downstream on lineage_edge (from_id, since desc nulls last)
    include (to_id, from_type, to_type, kind, until);
-- superseded by lineage_edge_upstream
drop index lineage_edge_by_to;
