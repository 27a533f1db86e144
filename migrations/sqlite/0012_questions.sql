-- A question names the specialty it asks (issue 16, item 4): it shows as an open question in
-- that specialty's column until someone of that specialty replies.
ALTER TABLE annotations ADD COLUMN asks TEXT;
