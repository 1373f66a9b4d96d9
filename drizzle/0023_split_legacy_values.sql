-- Values stored whole before 0012_stored_chunks (issue 17) are split like new ones: the first 256 KB stay in the row, the rest go to the pieces tables, so every read of them carries at most ~1 MB (src/db/sql/stored-values.ts, docs/hostile-mail.md).
INSERT INTO "attachment_chunks" ("attachment_id", "seq", "data")
SELECT a."id", g.seq, substring(a."content" FROM g.seq * 262144 + 1 FOR 262144)
FROM "attachments" a
CROSS JOIN LATERAL generate_series(1, (octet_length(a."content") - 1) / 262144) AS g(seq)
WHERE octet_length(a."content") > 262144
  AND NOT EXISTS (SELECT 1 FROM "attachment_chunks" c WHERE c."attachment_id" = a."id");--> statement-breakpoint
UPDATE "attachments" SET "content" = substring("content" FROM 1 FOR 262144) WHERE octet_length("content") > 262144;--> statement-breakpoint
INSERT INTO "raw_input_chunks" ("raw_input_id", "seq", "data")
SELECT r."id", g.seq, substring(r."data" FROM g.seq * 262144 + 1 FOR 262144)
FROM "raw_inputs" r
CROSS JOIN LATERAL generate_series(1, (octet_length(r."data") - 1) / 262144) AS g(seq)
WHERE octet_length(r."data") > 262144
  AND NOT EXISTS (SELECT 1 FROM "raw_input_chunks" c WHERE c."raw_input_id" = r."id");--> statement-breakpoint
UPDATE "raw_inputs" SET "data" = substring("data" FROM 1 FOR 262144) WHERE octet_length("data") > 262144;
