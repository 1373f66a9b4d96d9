-- Staff search (#25), two fixes. 1: the default text parser reads `<…>` as an HTML tag and drops
-- it with the words inside (`Stampante <HP>`, `a<b stampante c>d`), and keeps URLs, e-mail
-- addresses and file paths as single tokens (`mario.rossi@example.com` was not found by `mario`).
-- 2: the bot's own texts (acknowledgements, reminders, consent requests, notices) were indexed,
-- so a word of the acknowledgement found every ticket. Only what people wrote is indexed now.
ALTER TABLE "messages" ADD COLUMN "bot_text" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
-- Outbound rows stored with their delivery (insert-outbound-delivery.ts: they carry the
-- recipient in sender_kind) are the bot's texts, except a technician's edited Slack reply
-- (its delivery edits an earlier one). Technicians' replies and notes are stored without it.
UPDATE "messages" m SET "bot_text" = true
  WHERE m.direction = 'outbound' AND m.sender_kind IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id AND d.payload ? 'editOf');
--> statement-breakpoint
-- The text a message or subject is indexed with: `<`, `>` and `&` become spaces (no tag or entity
-- token can swallow words), and the parts of URLs, e-mail addresses, file names and paths are
-- added after the text as words of their own. The staff list's query gets the same `<>&` rule
-- (src/db/sql/list-staff-tickets.ts, searchQueryText). At most 100,000 characters of a text.
CREATE OR REPLACE FUNCTION "ticket_search_text"(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT translate(s.b, '<>&', '   ') || coalesce(' ' || (
    SELECT string_agg(regexp_replace(p.m[1], '[^[:alnum:]]+', ' ', 'g'), ' ')
    FROM regexp_matches(s.b, '([^[:space:]<>"'']*[@/\\.][[:alnum:]][^[:space:]<>"'']*)', 'g') AS p(m)
  ), '')
  FROM (SELECT left(body, 100000) AS b) s
$$;
--> statement-breakpoint
-- Whether a message is a person's text: not one of the bot's, not an auto-reply or bounce.
CREATE FUNCTION "message_in_search"(direction text, disposition text, bot_text boolean)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT NOT bot_text AND NOT (direction = 'inbound' AND disposition = 'automated')
$$;
--> statement-breakpoint
-- A ticket's whole vector from its subject (weight A) and its people's messages, oldest first
-- (up to 300,000 characters of them): the backfill, erasure's rebuild and the bench use it.
CREATE FUNCTION "ticket_search_vector"(ticket bigint) RETURNS tsvector LANGUAGE sql STABLE AS $$
  SELECT setweight(to_tsvector(cfg.c, ticket_search_text(t.subject)), 'A')
    || coalesce((
      SELECT to_tsvector(cfg.c, left(string_agg(ticket_search_text(m.new_text), ' ' ORDER BY m.id), 300000))
      FROM messages m
      WHERE m.ticket_id = t.id AND message_in_search(m.direction, m.disposition, m.bot_text)
    ), ''::tsvector)
  FROM tickets t, LATERAL (SELECT coalesce(ticket_search_config(t.customer_id), 'italian'::regconfig) AS c) cfg
  WHERE t.id = ticket
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "messages_search_ticket"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v tsvector;
BEGIN
  IF NEW.ticket_id IS NULL OR NEW.new_text = ''
     OR NOT message_in_search(NEW.direction, NEW.disposition, NEW.bot_text) THEN
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
UPDATE "tickets" SET "search_vector" = ticket_search_vector(id);
