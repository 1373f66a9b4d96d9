-- Full-text search of tickets (#25): one tsvector per ticket over its subject (weight A) and the
-- new text of every message on it, in the customer's language (`english` for customers whose
-- locale is English, `italian` otherwise). Kept by triggers, searched through a GIN index.
ALTER TABLE "tickets" ADD COLUMN "search_vector" tsvector DEFAULT ''::tsvector NOT NULL;
--> statement-breakpoint
CREATE FUNCTION "ticket_search_config"(customer bigint) RETURNS regconfig LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN c.locale LIKE 'en%' THEN 'english'::regconfig ELSE 'italian'::regconfig END
  FROM customers c WHERE c.id = customer
$$;
--> statement-breakpoint
-- Text indexed per message at most (characters): a tsvector holds 1 MB at most.
CREATE FUNCTION "ticket_search_text"(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT left(body, 100000)
$$;
--> statement-breakpoint
CREATE FUNCTION "tickets_search_subject"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cfg regconfig := coalesce(ticket_search_config(NEW.customer_id), 'italian'::regconfig);
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.search_vector := setweight(to_tsvector(cfg, ticket_search_text(NEW.subject)), 'A');
  ELSIF NEW.subject IS DISTINCT FROM OLD.subject THEN
    NEW.search_vector := NEW.search_vector || setweight(to_tsvector(cfg, ticket_search_text(NEW.subject)), 'A');
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "tickets_search_subject" BEFORE INSERT OR UPDATE OF "subject" ON "tickets"
  FOR EACH ROW EXECUTE FUNCTION "tickets_search_subject"();
--> statement-breakpoint
-- A message's text joins its ticket's vector when it is stored on the ticket, moved onto it, or
-- its text grows (an album's later caption). A vector that would pass 1 MB keeps its lexemes
-- without positions; if even that is too long, the message is left out of the search.
CREATE FUNCTION "messages_search_ticket"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v tsvector;
BEGIN
  IF NEW.ticket_id IS NULL OR NEW.new_text = '' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.ticket_id IS NOT DISTINCT FROM OLD.ticket_id
     AND NEW.new_text IS NOT DISTINCT FROM OLD.new_text THEN
    RETURN NULL;
  END IF;
  SELECT to_tsvector(coalesce(ticket_search_config(t.customer_id), 'italian'::regconfig),
                     ticket_search_text(NEW.new_text))
    INTO v FROM tickets t WHERE t.id = NEW.ticket_id;
  BEGIN
    UPDATE tickets SET search_vector = search_vector || v WHERE id = NEW.ticket_id;
  EXCEPTION WHEN program_limit_exceeded THEN
    BEGIN
      UPDATE tickets SET search_vector = strip(search_vector) || strip(v) WHERE id = NEW.ticket_id;
    EXCEPTION WHEN program_limit_exceeded THEN
      NULL;
    END;
  END;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "messages_search_ticket" AFTER INSERT OR UPDATE OF "ticket_id", "new_text" ON "messages"
  FOR EACH ROW EXECUTE FUNCTION "messages_search_ticket"();
--> statement-breakpoint
UPDATE "tickets" t SET "search_vector" =
  setweight(to_tsvector(coalesce(ticket_search_config(t.customer_id), 'italian'::regconfig), ticket_search_text(t.subject)), 'A')
  || coalesce((
    SELECT to_tsvector(coalesce(ticket_search_config(t.customer_id), 'italian'::regconfig),
                             left(string_agg(ticket_search_text(m.new_text), ' ' ORDER BY m.id), 300000))
    FROM messages m WHERE m.ticket_id = t.id
  ), ''::tsvector);
--> statement-breakpoint
CREATE INDEX "tickets_search_vector" ON "tickets" USING gin ("search_vector");
--> statement-breakpoint
-- The staff list's deadline filters: open first contacts by deadline.
CREATE INDEX "tickets_first_contact_due" ON "tickets" USING btree ("first_contact_due_at") WHERE first_contact_at IS NULL;
