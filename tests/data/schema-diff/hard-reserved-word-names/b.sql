CREATE TABLE "user" ("order" int, "group" text, "select" bool); CREATE INDEX "index" ON "user" ("order");
