ALTER TABLE "deliveries" ADD COLUMN "purpose" text;--> statement-breakpoint
CREATE INDEX "audit_log_actor_action_at" ON "audit_log" USING btree ("actor","action","at");--> statement-breakpoint
CREATE INDEX "deliveries_purpose_recent" ON "deliveries" USING btree ("purpose","created_at") WHERE purpose is not null;