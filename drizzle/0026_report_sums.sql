CREATE TABLE "billing_export_sums" (
	"export_id" bigint NOT NULL,
	"month" text NOT NULL,
	"customer_id" bigint NOT NULL,
	"raw_minutes" bigint NOT NULL,
	"billed_minutes" bigint NOT NULL,
	"net_cents" bigint NOT NULL,
	CONSTRAINT "billing_export_sums_export_id_customer_id_pk" PRIMARY KEY("export_id","customer_id")
);
--> statement-breakpoint
ALTER TABLE "billing_export_sums" ADD CONSTRAINT "billing_export_sums_export_id_billing_exports_id_fk" FOREIGN KEY ("export_id") REFERENCES "public"."billing_exports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "billing_export_sums_month" ON "billing_export_sums" USING btree ("month");--> statement-breakpoint
CREATE INDEX "time_entries_open" ON "time_entries" USING btree ("started_at") WHERE status = 'confirmed' and billed_at is null;--> statement-breakpoint
-- An export's lines summed per customer, rewritten in the same statement whenever the export is
-- inserted or its lines or month change (exports are not changed today): the sums cannot differ
-- from the lines. Removed with the export (ON DELETE CASCADE). docs/performance.md, staff reports.
CREATE FUNCTION "billing_export_sums_fill"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "billing_export_sums" WHERE "export_id" = NEW."id";
  INSERT INTO "billing_export_sums" ("export_id", "month", "customer_id", "raw_minutes", "billed_minutes", "net_cents")
  SELECT NEW."id", NEW."month", (l.line->>'customerId')::bigint,
         sum((l.line->'bill'->>'rawMinutes')::bigint),
         sum((l.line->'bill'->>'billedMinutes')::bigint),
         sum((l.line->'bill'->>'netCents')::bigint)
    FROM jsonb_array_elements(NEW."lines") AS l(line)
   GROUP BY (l.line->>'customerId')::bigint;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "billing_export_sums_fill" AFTER INSERT OR UPDATE OF "lines", "month" ON "billing_exports"
  FOR EACH ROW EXECUTE FUNCTION "billing_export_sums_fill"();
--> statement-breakpoint
-- The exports made before this migration.
INSERT INTO "billing_export_sums" ("export_id", "month", "customer_id", "raw_minutes", "billed_minutes", "net_cents")
SELECT e."id", e."month", (l.line->>'customerId')::bigint,
       sum((l.line->'bill'->>'rawMinutes')::bigint),
       sum((l.line->'bill'->>'billedMinutes')::bigint),
       sum((l.line->'bill'->>'netCents')::bigint)
  FROM "billing_exports" e
 CROSS JOIN LATERAL jsonb_array_elements(e."lines") AS l(line)
 GROUP BY e."id", e."month", (l.line->>'customerId')::bigint;
