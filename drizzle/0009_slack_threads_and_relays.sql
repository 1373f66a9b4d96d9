CREATE TABLE "slack_posts" (
	"message_id" bigint PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"ts" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_relays" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" bigint NOT NULL,
	"channel_id" text NOT NULL,
	"ts" text NOT NULL,
	"user_id" text NOT NULL,
	"author" text NOT NULL,
	"text" text NOT NULL,
	"files" jsonb,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'held' NOT NULL,
	"message_id" bigint,
	"delivery_id" bigint,
	"receipt_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_seen_events" (
	"key" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_threads" (
	"ticket_id" bigint PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"thread_ts" text NOT NULL,
	"card_state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "slack_posts" ADD CONSTRAINT "slack_posts_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slack_relays" ADD CONSTRAINT "slack_relays_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slack_threads" ADD CONSTRAINT "slack_threads_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "slack_relays_channel_ts" ON "slack_relays" USING btree ("channel_id","ts");--> statement-breakpoint
CREATE INDEX "slack_relays_pending" ON "slack_relays" USING btree ("status") WHERE status in ('held', 'queued');--> statement-breakpoint
CREATE UNIQUE INDEX "slack_threads_channel_ts" ON "slack_threads" USING btree ("channel_id","thread_ts");