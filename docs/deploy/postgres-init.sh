#!/bin/sh
# Runs once, when the database volume is new: the login the app servers use, which owns nothing.
set -eu
psql -v ON_ERROR_STOP=1 -v app_password="$APP_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE cockpit_app LOGIN PASSWORD :'app_password';
SQL
