CREATE TABLE "web_drafts" (
	"key_hash" text PRIMARY KEY NOT NULL,
	"owner_tag" text NOT NULL,
	"ticket_number" integer,
	"subject" text,
	"text" text NOT NULL,
	"nonce" text,
	"files_left_out" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "web_drafts_expires_at_index" ON "web_drafts" USING btree ("expires_at");