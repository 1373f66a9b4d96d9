-- The generated API token was kept in clear; keep only its SHA-256 (hex), as the app now checks it.
INSERT INTO "instance_settings" ("key", "value")
  SELECT 'api_token_sha256', encode(sha256(convert_to("value", 'UTF8')), 'hex')
  FROM "instance_settings" WHERE "key" = 'api_token'
  ON CONFLICT ("key") DO NOTHING;
--> statement-breakpoint
DELETE FROM "instance_settings" WHERE "key" = 'api_token';
