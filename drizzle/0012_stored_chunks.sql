CREATE TABLE "attachment_chunks" (
	"attachment_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "attachment_chunks_attachment_id_seq_pk" PRIMARY KEY("attachment_id","seq"),
	CONSTRAINT "attachment_chunks_seq" CHECK ("attachment_chunks"."seq" >= 1)
);
--> statement-breakpoint
CREATE TABLE "raw_input_chunks" (
	"raw_input_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "raw_input_chunks_raw_input_id_seq_pk" PRIMARY KEY("raw_input_id","seq"),
	CONSTRAINT "raw_input_chunks_seq" CHECK ("raw_input_chunks"."seq" >= 1)
);
--> statement-breakpoint
ALTER TABLE "attachment_chunks" ADD CONSTRAINT "attachment_chunks_attachment_id_attachments_id_fk" FOREIGN KEY ("attachment_id") REFERENCES "public"."attachments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "raw_input_chunks" ADD CONSTRAINT "raw_input_chunks_raw_input_id_raw_inputs_id_fk" FOREIGN KEY ("raw_input_id") REFERENCES "public"."raw_inputs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Pieces are stored out of line without compression: pglz on the embedded store runs on the main thread. docs/hostile-mail.md
ALTER TABLE "attachment_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "raw_input_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;