--
-- 00_smoke: the extension installs, is listed, and drops cleanly.
--
CREATE EXTENSION ddb_emul;
SELECT extname FROM pg_extension WHERE extname = 'ddb_emul';
DROP EXTENSION ddb_emul;
