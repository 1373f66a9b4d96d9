ALTER TABLE "messages" ADD COLUMN "group_key" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "part_of_message_id" bigint;--> statement-breakpoint
CREATE INDEX "messages_group_key" ON "messages" USING btree ("channel","group_key") WHERE group_key is not null;