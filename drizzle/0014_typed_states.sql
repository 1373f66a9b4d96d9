ALTER TABLE "customers" ADD CONSTRAINT "customers_kind_known" CHECK (kind in ('person', 'company'));--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_status_known" CHECK (status in ('pending', 'active', 'suspended'));--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_purpose_known" CHECK (purpose in ('unknown_sender', 'link'));--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_direction_known" CHECK (direction in ('inbound', 'outbound', 'note'));--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_disposition_known" CHECK (disposition in ('ticket', 'unmatched', 'automated', 'awaiting_choice', 'edit', 'album_part', 'suspicious'));--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_sender_verification_known" CHECK (sender_verification in ('pass', 'fail', 'none', 'reply_token'));--> statement-breakpoint
ALTER TABLE "slack_relays" ADD CONSTRAINT "slack_relays_status_known" CHECK (status in ('held', 'cancelled', 'queued', 'done'));--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_status_known" CHECK (status in ('new', 'open', 'waiting_customer', 'scheduled', 'in_progress', 'resolved', 'closed'));--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_intervention_kind_known" CHECK (intervention_kind in ('on_site', 'remote'));