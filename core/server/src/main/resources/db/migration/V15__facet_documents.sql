-- Facets stored once per distinct document (issue 16). The same facet document comes again and again: every run of a
-- job sends the same job facets, every event of a DAG run the same task and DAG facets, every event naming a dataset
-- its schema. Before, each run_facet, job_facet and artifact_facet row held its own copy (a catalog fed the OpenLineage
-- benchmark held 204,531 run facet rows of 8,005 distinct documents, 159 MB). Now a document is stored once in
-- facet_document, under the SHA-256 of its text as the writer encodes it, and the facet rows refer to it.
--
-- Documents are never deleted, so a reference cannot dangle. There is no foreign key on purpose: checking one takes a
-- KEY SHARE lock on the document's row in every writing transaction, and a document shared by every event of a
-- pipeline would become a row all those transactions lock (and mark with a multixact), what this table is meant to
-- remove.

create table facet_document (
    hash  bytea primary key check (octet_length(hash) = 32),
    value jsonb not null
);

-- the documents stored so far, hashed by their text as PostgreSQL prints the jsonb (new writes hash the text they
-- send; a document written before and sent again may then be stored twice, under both texts: reads are the same)
insert into facet_document (hash, value)
select sha256(convert_to(value::text, 'UTF8')), value
from (select value from run_facet union select value from job_facet union select value from artifact_facet) as v;

alter table run_facet add column document bytea;
update run_facet set document = sha256(convert_to(value::text, 'UTF8'));
alter table run_facet alter column document set not null;
alter table run_facet drop column value;

alter table job_facet add column document bytea;
update job_facet set document = sha256(convert_to(value::text, 'UTF8'));
alter table job_facet alter column document set not null;
alter table job_facet drop column value;

alter table artifact_facet add column document bytea;
update artifact_facet set document = sha256(convert_to(value::text, 'UTF8'));
alter table artifact_facet alter column document set not null;
alter table artifact_facet drop column value;
