--
-- 00_schema: the extension is installed by test.sh (with pgtap) in a fresh
-- database per suite, up to date, with its API schema, and the server runs
-- with the settings it needs.
--
BEGIN;
SELECT plan(4);

SELECT has_extension('ddb_emul', 'extension ddb_emul is installed');
SELECT has_schema('ddb', 'schema ddb exists');
SELECT is(
	(SELECT extversion FROM pg_extension WHERE extname = 'ddb_emul'),
	(SELECT default_version FROM pg_available_extensions WHERE name = 'ddb_emul'),
	'installed version is the default version');
SELECT ok(
	'ddb_emul' = ANY (string_to_array(current_setting('shared_preload_libraries'), ',')),
	'ddb_emul is in shared_preload_libraries');

SELECT * FROM finish();
ROLLBACK;
