DROP INDEX "tickets_customer_id_status_index";--> statement-breakpoint
CREATE INDEX "tickets_customer_status" ON "tickets" USING btree ("customer_id","status","id");--> statement-breakpoint
CREATE INDEX "tickets_created_channel" ON "tickets" USING btree ("created_at","origin_channel");--> statement-breakpoint
CREATE INDEX "tickets_first_contact_outcome" ON "tickets" USING btree ("first_contact_due_at","first_contact_at","resolved_at","closed_at");