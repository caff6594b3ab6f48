CREATE TABLE "café" ("naïve" text, "日本" int);
