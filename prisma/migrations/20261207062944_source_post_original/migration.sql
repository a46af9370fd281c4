-- A source that delivered a post itself (not only through reposts) says so: a hide-reposts stage
-- then hides the repost but keeps the post (the member follows its author). A row without a repost
-- reason was delivered as the post itself.
ALTER TABLE "SourcePost" ADD COLUMN "original" BOOLEAN NOT NULL DEFAULT false;
UPDATE "SourcePost" SET "original" = true WHERE "reason" IS NULL;
