-- CreateIndex
CREATE INDEX "FeedInteraction_entryId_idx" ON "FeedInteraction"("entryId");
