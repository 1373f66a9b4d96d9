CREATE TABLE "staff_accounts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text,
	"password_set_at" timestamp with time zone,
	"totp_secret" text,
	"totp_last_step" bigint,
	"slack_user_id" text,
	"failed_sign_ins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_accounts_role_known" CHECK ("staff_accounts"."role" in ('admin', 'technician'))
);
--> statement-breakpoint
CREATE TABLE "staff_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"purpose" text DEFAULT 'set_password' NOT NULL,
	"account_id" bigint,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_tokens_purpose_known" CHECK (("staff_tokens"."purpose" = 'set_password' and "staff_tokens"."account_id" is not null) or ("staff_tokens"."purpose" = 'first_admin' and "staff_tokens"."account_id" is null))
);
--> statement-breakpoint
ALTER TABLE "staff_tokens" ADD CONSTRAINT "staff_tokens_account_id_staff_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."staff_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "staff_accounts_email" ON "staff_accounts" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_accounts_slack_user_id" ON "staff_accounts" USING btree ("slack_user_id");--> statement-breakpoint
CREATE INDEX "staff_tokens_account_id_index" ON "staff_tokens" USING btree ("account_id");