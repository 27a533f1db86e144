-- Meeting day (issue 16): one presenter at a time (others follow or browse on their own, and
-- handing over is explicit), and the time each case has had, kept when the board returns to it.
ALTER TABLE meetings ADD COLUMN presenter_id TEXT REFERENCES users(id);
ALTER TABLE agenda_items ADD COLUMN seconds_spent BIGINT NOT NULL DEFAULT 0;
