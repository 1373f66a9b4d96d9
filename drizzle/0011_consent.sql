CREATE TABLE "consents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" bigint,
	"event" text NOT NULL,
	"ticket_id" bigint NOT NULL,
	"customer_id" bigint NOT NULL,
	"technician" text NOT NULL,
	"technician_ref" text,
	"channel" text NOT NULL,
	"identity" text,
	"template_version" text,
	"request_text" text,
	"answer_message_id" bigint,
	"answer_text" text,
	"answer_via" text,
	"backup_confirmed" boolean DEFAULT false NOT NULL,
	"terms_version" text,
	"quick_access" boolean NOT NULL,
	"expires_at" timestamp with time zone,
	"minutes" integer,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "consents_event_known" CHECK (event in ('requested', 'granted', 'refused', 'expired', 'revoked', 'unclear', 'credentials_provided', 'session_started', 'session_ended')),
	CONSTRAINT "consents_request_link" CHECK ((event = 'requested') = (request_id is null))
);
--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consents_ticket_id_id_index" ON "consents" USING btree ("ticket_id","id");--> statement-breakpoint
CREATE INDEX "consents_customer_id_id_index" ON "consents" USING btree ("customer_id","id");--> statement-breakpoint
CREATE INDEX "consents_request_id_index" ON "consents" USING btree ("request_id");--> statement-breakpoint
CREATE FUNCTION "consents_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent records are append-only: % refused', TG_OP USING ERRCODE = 'P0001';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "consents_no_update_delete" BEFORE UPDATE OR DELETE ON "consents"
  FOR EACH ROW EXECUTE FUNCTION "consents_append_only"();
--> statement-breakpoint
CREATE TRIGGER "consents_no_truncate" BEFORE TRUNCATE ON "consents"
  FOR EACH STATEMENT EXECUTE FUNCTION "consents_append_only"();
