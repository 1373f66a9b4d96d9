CREATE TABLE "billing_contracts" (
	"customer_id" bigint PRIMARY KEY NOT NULL,
	"rounding_mode" text DEFAULT 'none' NOT NULL,
	"rounding_minutes" integer,
	"rounding_scope" text DEFAULT 'ticket' NOT NULL,
	"minimum_minutes" integer DEFAULT 0 NOT NULL,
	"out_of_hours_surcharge_percent" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_contracts_rounding_mode" CHECK (rounding_mode in ('none', 'block')),
	CONSTRAINT "billing_contracts_rounding_scope" CHECK (rounding_scope in ('entry', 'ticket')),
	CONSTRAINT "billing_contracts_rounding_minutes" CHECK ((rounding_mode = 'none') or (rounding_minutes between 1 and 480)),
	CONSTRAINT "billing_contracts_minimum" CHECK (minimum_minutes between 0 and 1440),
	CONSTRAINT "billing_contracts_surcharge" CHECK (out_of_hours_surcharge_percent between 0 and 500)
);
--> statement-breakpoint
CREATE TABLE "billing_exports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"month" text NOT NULL,
	"customer_id" bigint,
	"actor" text NOT NULL,
	"lines" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prepaid_packages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"customer_id" bigint NOT NULL,
	"minutes" integer NOT NULL,
	"valid_from" text NOT NULL,
	"valid_until" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "prepaid_packages_minutes" CHECK (minutes > 0),
	CONSTRAINT "prepaid_packages_dates" CHECK (valid_from <= valid_until)
);
--> statement-breakpoint
CREATE TABLE "time_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ticket_id" bigint NOT NULL,
	"technician" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"minutes" integer,
	"kind" text DEFAULT 'remote' NOT NULL,
	"billable" boolean DEFAULT true NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'confirmed' NOT NULL,
	"source" text NOT NULL,
	"billed_at" timestamp with time zone,
	"billing_export_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "time_entries_kind" CHECK (kind in ('remote', 'on_site', 'phone')),
	CONSTRAINT "time_entries_status" CHECK (status in ('running', 'unconfirmed', 'confirmed')),
	CONSTRAINT "time_entries_minutes" CHECK ((status = 'running' and minutes is null) or (status <> 'running' and minutes between 0 and 1440)),
	CONSTRAINT "time_entries_billed_confirmed" CHECK (billed_at is null or status = 'confirmed')
);
--> statement-breakpoint
ALTER TABLE "billing_contracts" ADD CONSTRAINT "billing_contracts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_exports" ADD CONSTRAINT "billing_exports_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prepaid_packages" ADD CONSTRAINT "prepaid_packages_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "time_entries" ADD CONSTRAINT "time_entries_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "time_entries" ADD CONSTRAINT "time_entries_billing_export_id_billing_exports_id_fk" FOREIGN KEY ("billing_export_id") REFERENCES "public"."billing_exports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "prepaid_packages_customer_id_index" ON "prepaid_packages" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "time_entries_ticket_id_index" ON "time_entries" USING btree ("ticket_id");--> statement-breakpoint
CREATE INDEX "time_entries_started" ON "time_entries" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "time_entries_running" ON "time_entries" USING btree ("technician") WHERE status = 'running';--> statement-breakpoint
CREATE FUNCTION "time_entries_billed_locked"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.billed_at IS NOT NULL THEN
    RAISE EXCEPTION 'time entry % is billed and cannot change', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "time_entries_billed_locked" BEFORE UPDATE OR DELETE ON "time_entries"
  FOR EACH ROW EXECUTE FUNCTION "time_entries_billed_locked"();
