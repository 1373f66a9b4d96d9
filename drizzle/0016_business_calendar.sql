CREATE TABLE "appointments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" bigint NOT NULL,
	"offered_slot_id" bigint,
	"technician" text NOT NULL,
	"kind" text NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'booked' NOT NULL,
	"uid" text NOT NULL,
	"sequence" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "appointments_uid_unique" UNIQUE("uid"),
	CONSTRAINT "appointments_status" CHECK ("appointments"."status" in ('booked', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "calendar_feeds" (
	"technician" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calendar_feeds_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "closures" (
	"date" text PRIMARY KEY NOT NULL,
	"reason" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "first_contact_clocks" (
	"ticket_id" bigint PRIMARY KEY NOT NULL,
	"clock_from" timestamp with time zone NOT NULL,
	"breached_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "offered_slots" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"offer_id" bigint NOT NULL,
	"number" integer NOT NULL,
	"start_at" timestamp with time zone NOT NULL,
	"end_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slot_offers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" bigint NOT NULL,
	"technician" text NOT NULL,
	"kind" text NOT NULL,
	"duration_minutes" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "slot_offers_kind" CHECK ("slot_offers"."kind" in ('remote', 'onsite')),
	CONSTRAINT "slot_offers_status" CHECK ("slot_offers"."status" in ('open', 'booked', 'declined', 'expired', 'superseded'))
);
--> statement-breakpoint
CREATE TABLE "timers" (
	"key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"ticket_id" bigint,
	"customer_id" bigint,
	"due_at" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone,
	"outcome" text,
	CONSTRAINT "timers_kind" CHECK ("timers"."kind" in ('first_contact.reminder_day', 'first_contact.reminder_hours', 'first_contact.breach', 'activation.reminder', 'activation.deadline', 'appointment.reminder_day', 'appointment.reminder_hour'))
);
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_offered_slot_id_offered_slots_id_fk" FOREIGN KEY ("offered_slot_id") REFERENCES "public"."offered_slots"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "first_contact_clocks" ADD CONSTRAINT "first_contact_clocks_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offered_slots" ADD CONSTRAINT "offered_slots_offer_id_slot_offers_id_fk" FOREIGN KEY ("offer_id") REFERENCES "public"."slot_offers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slot_offers" ADD CONSTRAINT "slot_offers_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timers" ADD CONSTRAINT "timers_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timers" ADD CONSTRAINT "timers_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "appointments_technician_start" ON "appointments" USING btree ("technician","start_at") WHERE status = 'booked';--> statement-breakpoint
CREATE INDEX "appointments_start_at_index" ON "appointments" USING btree ("start_at");--> statement-breakpoint
CREATE UNIQUE INDEX "offered_slots_offer_number" ON "offered_slots" USING btree ("offer_id","number");--> statement-breakpoint
CREATE INDEX "slot_offers_ticket_id_index" ON "slot_offers" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "timers_due" ON "timers" USING btree ("due_at") WHERE fired_at is null;