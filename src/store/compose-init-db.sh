#!/bin/sh
# docker-compose: the official postgres image runs this once, when it creates
# its data volume. It gives Braid its own user and database beside Temporal's.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE USER braid WITH PASSWORD '${BRAID_DB_PASSWORD}';
CREATE DATABASE braid OWNER braid;
SQL
