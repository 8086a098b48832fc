-- An artifact is never erased: when a source sees it leave its URI (a file deleted, an object deleted, or its
-- content replaced by a new digest) it is marked gone, and its runs, model versions and edges stay.
--
-- Presence and absence are decided by event time, never by arrival order: of the assertions "present at t" (any
-- record of the artifact, at its observation time) and "gone since t", the latest wins (a tie: present). Two
-- columns are enough for that, whatever the order: the latest time it was seen present, and the latest gone time
-- that is after it. (A gone time at or before the latest presence can never matter again: a later gone assertion
-- either beats the presence by itself or loses to it.)

-- since when the artifact is no longer at its URI; null while it is (or nobody said otherwise)
alter table artifact add column gone_at timestamptz;
-- the latest event time a record saw the artifact at its URI; null: never said (artifacts recorded before this column)
alter table artifact add column seen_at timestamptz;
alter table artifact add constraint artifact_gone_after_seen check (gone_at is null or seen_at is null or gone_at > seen_at);
