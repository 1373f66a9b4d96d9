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
CREATE TABLE "timers" (
	"key" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"ticket_id" bigint,
	"customer_id" bigint,
	"due_at" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone,
	"outcome" text,
	CONSTRAINT "timers_kind" CHECK ("timers"."kind" in ('first_contact.reminder_day', 'first_contact.reminder_hours', 'first_contact.breach', 'activation.reminder', 'activation.deadline'))
);
--> statement-breakpoint
ALTER TABLE "first_contact_clocks" ADD CONSTRAINT "first_contact_clocks_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timers" ADD CONSTRAINT "timers_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "timers" ADD CONSTRAINT "timers_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "timers_due" ON "timers" USING btree ("due_at") WHERE fired_at is null;