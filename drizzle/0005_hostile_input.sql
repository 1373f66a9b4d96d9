DROP INDEX "messages_inbound_external_id";--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "purpose" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "content_hash" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "sender_verification" text;--> statement-breakpoint
CREATE INDEX "audit_log_actor_action_at" ON "audit_log" USING btree ("actor","action","at");--> statement-breakpoint
CREATE INDEX "deliveries_purpose_recent" ON "deliveries" USING btree ("purpose","created_at") WHERE purpose is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_inbound_external_id_content" ON "messages" USING btree ("channel","external_id",coalesce("content_hash", '')) WHERE direction = 'inbound';