DROP INDEX "messages_inbound_external_id";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "content_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_inbound_external_id_content" ON "messages" USING btree ("channel","external_id",coalesce("content_hash", '')) WHERE direction = 'inbound';