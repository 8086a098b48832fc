-- Request bodies are stored compressed (LZ4 block format) when that makes them smaller: a batch of events is a
-- tenth or less of its size, and so of the TOAST rows and WAL its store costs. body_encoding says how ('lz4'; null:
-- as received), body_bytes how long the request's body is (null in rows stored before: then octet_length(body)).
alter table intake_queue add column body_encoding text, add column body_bytes integer;
alter table intake_queue add constraint intake_queue_body_encoding check (body_encoding is null or body_encoding = 'lz4');
